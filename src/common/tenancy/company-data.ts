/**
 * Everything the service holds for a company is owned by some module. Each owner provides a
 * `CompanyEraser` (for `DELETE /admin/companies/{id}`) and a `CompanyExporter` (for the NDJSON export);
 * the admin module finds them all with Nest's DiscoveryService, so a new store cannot be forgotten by
 * an orchestrator that lists owners by hand.
 */

/** What one eraser removed; the erasure report sums them per field. */
export interface ErasureCounts {
  rows?: number;
  vectors?: number;
  cache_keys?: number;
  jobs?: number;
  keys?: number;
}

export abstract class CompanyEraser {
  /** Names the store in logs and the report's breakdown (e.g. `tickets`, `sessions`). */
  abstract readonly store: string;
  /**
   * Lower runs first. Access first (keys revoked, 0), then the work that could write again (jobs, 10),
   * then derived data (vectors, keyword statistics, cache, sessions: 20), then rows (30).
   */
  abstract readonly order: number;
  /** Removes everything of the company in this store. Idempotent: a retried erasure finds nothing and counts 0. */
  abstract erase(companyId: string): Promise<ErasureCounts>;
  /** Counts what is left (the sweep); 0 after a finished erase. */
  abstract residue(companyId: string): Promise<number>;
}

/** One NDJSON line of an export: `type` names the record kind (ticket, article, summary, session, ...). */
export interface ExportRecord {
  type: string;
  [field: string]: unknown;
}

export abstract class CompanyExporter {
  abstract readonly store: string;
  /** Streams the company's records page by page; never loads a whole tenant. */
  abstract exportRecords(companyId: string): AsyncIterable<ExportRecord>;
}

/** Rows per page of an export: one page is the most an exporter holds at once. */
export const EXPORT_PAGE_SIZE = 500;

/** Every row of a keyset-paged read (`page` after the last row's id), one page in memory at a time. */
export async function* keysetRows<T>(input: {
  page: (afterId: string | undefined, limit: number) => Promise<T[]>;
  idOf: (row: T) => string;
}): AsyncGenerator<T> {
  let afterId: string | undefined;
  for (;;) {
    const rows = await input.page(afterId, EXPORT_PAGE_SIZE);
    yield* rows;
    if (rows.length < EXPORT_PAGE_SIZE) return;
    afterId = input.idOf(rows[rows.length - 1]);
  }
}

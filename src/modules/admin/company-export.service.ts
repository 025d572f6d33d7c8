import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AppError } from '../../common/errors/app-error';
import { CompanyExporter } from '../../common/tenancy/company-data';
import { AuditService } from '../audit/audit.service';
import { CompanyRepository } from '../auth/api-key.repository';

/**
 * The order of an export's sections. A store not named here (a new one) follows them, by name, so it is
 * exported rather than forgotten; `end` is always last.
 */
const STORE_ORDER = ['company', 'tickets', 'articles', 'summaries', 'sessions', 'preferences', 'usage'];

/** Lines are sent in chunks of about this size: few socket writes, one chunk in memory. */
const CHUNK_BYTES = 64 * 1024;

export interface ExportEnd {
  type: 'end';
  company_id: string;
  /** Lines per record type (`ticket`, `article`, `summary`, ...), the `end` line excluded. */
  counts: Record<string, number>;
  stores: string[];
  /** Sources a record said were unavailable (`unavailable: true`, e.g. the cache store's counters); absent if none. */
  degraded?: string[];
}

/**
 * `GET /api/v1/admin/companies/{id}/export`: every record every `CompanyExporter` holds for the company, one
 * JSON object per line. Exporters are found by discovery (each module that stores company data provides
 * one), read page by page and streamed with the response's backpressure: memory stays flat whatever the
 * tenant's size. The last line is `{"type":"end","counts":{...}}`: a response without it is incomplete (the
 * connection was cut or a store failed mid-way) and must be asked again. A record of derived bookkeeping whose
 * source did not answer says `unavailable: true`; the end line then names the source in `degraded`.
 */
@Injectable()
export class CompanyExportService {
  private readonly logger = new Logger('CompanyExport');
  private discovered?: CompanyExporter[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly companies: CompanyRepository,
    private readonly audit: AuditService,
  ) {}

  /** Every exporter in the application, in export order. */
  exporters(): CompanyExporter[] {
    this.discovered ??= orderExporters(
      this.discovery
        .getProviders()
        .filter((wrapper) => wrapper.isDependencyTreeStatic())
        .map((wrapper) => wrapper.instance as unknown)
        .filter((instance): instance is CompanyExporter => instance instanceof CompanyExporter),
    );
    return this.discovered;
  }

  /** 404 for an unknown company; the export is audited before its first line is read. */
  async open(input: { companyId: string; actorKeyId: string }): Promise<AsyncIterable<string>> {
    const { companyId, actorKeyId } = input;
    if (!(await this.companies.exists(companyId))) throw AppError.notFound('company', companyId);
    const exporters = this.exporters();
    await this.audit.record({
      actorKeyId,
      action: 'company.exported',
      companyId,
      target: `company/${companyId}`,
      details: { stores: exporters.map((e) => e.store) },
    });
    return this.chunks(companyId, exporters);
  }

  private async *chunks(companyId: string, exporters: CompanyExporter[]): AsyncGenerator<string> {
    let chunk = '';
    for await (const line of this.lines(companyId, exporters)) {
      chunk += line;
      if (chunk.length >= CHUNK_BYTES) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }

  private async *lines(companyId: string, exporters: CompanyExporter[]): AsyncGenerator<string> {
    const counts: Record<string, number> = {};
    const degraded = new Set<string>();
    const started = performance.now();
    try {
      for (const exporter of exporters) {
        for await (const record of exporter.exportRecords(companyId)) {
          counts[record.type] = (counts[record.type] ?? 0) + 1;
          if (record.unavailable === true) degraded.add(String(record.source ?? exporter.store));
          yield `${JSON.stringify(record)}\n`;
        }
      }
    } catch (error) {
      // Headers are gone: the response is cut without its end line, which tells the consumer to ask again.
      this.logger.warn(`export of ${companyId} failed mid-stream: ${String(error)}`);
      throw error;
    }
    const end: ExportEnd = {
      type: 'end',
      company_id: companyId,
      counts,
      stores: exporters.map((e) => e.store),
      ...(degraded.size > 0 ? { degraded: [...degraded] } : {}),
    };
    yield `${JSON.stringify(end)}\n`;
    this.logger.log(
      `exported ${companyId}: ${JSON.stringify(counts)} in ${Math.round(performance.now() - started)} ms`,
    );
  }
}

/** Known stores in STORE_ORDER, others after them by name; one instance once (a provider seen twice). */
export function orderExporters(found: CompanyExporter[]): CompanyExporter[] {
  const rank = (store: string) => {
    const i = STORE_ORDER.indexOf(store);
    return i === -1 ? STORE_ORDER.length : i;
  };
  return [...new Set(found)].sort((a, b) => rank(a.store) - rank(b.store) || a.store.localeCompare(b.store));
}

import { DataSource } from 'typeorm';
import type { SearchDataType } from '../domain/search-document';
import { DocumentPresence } from '../ports/document-presence.port';

/** Ids per SQLite statement, far below its bound-parameter limit; PostgreSQL takes them as one array. */
const SQLITE_IDS_PER_STATEMENT = 500;

const TABLES: Record<SearchDataType, { table: string; id: string }> = {
  ticket: { table: 'ticket', id: 'ticket_id' },
  article: { table: 'article', id: 'article_id' },
};

/**
 * One primary-key lookup per type and search (a result page of ids, never more), on every search: plain SQL
 * with bound values, not the query builder, whose per-call work was most of this lookup's cost.
 */
export class TypeOrmDocumentPresence extends DocumentPresence {
  private readonly postgres: boolean;

  constructor(private readonly db: DataSource) {
    super();
    this.postgres = db.options.type === 'postgres';
  }

  async present({
    companyId,
    type,
    ids,
  }: {
    companyId: string;
    type: SearchDataType;
    ids: string[];
  }): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const unique = [...new Set(ids)];
    const { table, id } = TABLES[type];
    const found = new Set<string>();
    if (this.postgres) {
      const rows: Array<{ id: string }> = await this.db.query(
        `SELECT ${id} AS id FROM ${table} WHERE company_id = $1 AND ${id} = ANY($2::text[])`,
        [companyId, unique],
      );
      for (const row of rows) found.add(row.id);
      return found;
    }
    for (let start = 0; start < unique.length; start += SQLITE_IDS_PER_STATEMENT) {
      const slice = unique.slice(start, start + SQLITE_IDS_PER_STATEMENT);
      const rows: Array<{ id: string }> = await this.db.query(
        `SELECT ${id} AS id FROM ${table} WHERE company_id = ? AND ${id} IN (${slice.map(() => '?').join(', ')})`,
        [companyId, ...slice],
      );
      for (const row of rows) found.add(row.id);
    }
    return found;
  }
}

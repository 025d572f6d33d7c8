import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { ArticleEntity, CompanyEntity, TicketEntity } from '../../database/entities';
import type { SummarySource } from '../../database/entities/index-state';
import type { DataType } from '../jobs/jobs';
import type { ArticleRow, TicketRow } from './domain/index-documents';
import { serialTransaction } from '../../database/serial-transaction';

export interface ScanRequest {
  companyId: string;
  /** Inclusive updated_at range; absent: every row. */
  range?: { from: Date; to: Date };
  /** Only rows waiting for indexing (the outbox). */
  pendingOnly?: boolean;
  /** Only indexed rows (with their summary), indexed at or after this time when given. */
  indexed?: { since?: Date };
  after?: { updatedAt: Date; id: string };
  limit: number;
}

export interface IndexedRow {
  id: string;
  /** The content hash the summary and vector were built from. */
  contentHash: string;
  summary: string;
  summarySource: SummarySource;
}

type Row<T extends DataType> = T extends 'tickets' ? TicketRow : ArticleRow;

/** Four bound values per row: well under PostgreSQL's 65,535 and SQLite's 32,766 parameters. */
const MARK_ROWS_PER_STATEMENT = 1_000;

const TABLE = {
  tickets: { entity: TicketEntity, id: 'ticket_id', prop: 'ticketId' },
  articles: { entity: ArticleEntity, id: 'article_id', prop: 'articleId' },
} as const;

/** Reads and writes the indexing state of tickets and articles; every method is scoped by company. */
@Injectable()
export class IndexingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page in (updated_at, id) order: callers walk the whole range page by page, never all at once. */
  async scan<T extends DataType>(type: T, request: ScanRequest): Promise<Row<T>[]> {
    const qb = this.filtered(type, request);
    const { id } = TABLE[type];
    if (request.after) {
      // A row comparison, not `a > x OR (a = x AND b > y)`: only this form is an index condition on
      // (company_id, updated_at, id), so a page starts at the cursor instead of filtering every row before it
      // (at 200k rows the OR form read 80k index entries per 500-row chunk: quadratic over a range).
      qb.andWhere(`(r.updated_at, r.${id}) > (:afterAt, :afterId)`, {
        afterAt: request.after.updatedAt,
        afterId: request.after.id,
      });
    }
    const rows = await qb
      .orderBy('r.updated_at', 'ASC')
      .addOrderBy(`r.${id}`, 'ASC')
      .limit(request.limit)
      .getMany();
    return rows.map((r) => toRow(type, r)) as Row<T>[];
  }

  count(type: DataType, request: Omit<ScanRequest, 'after' | 'limit'>): Promise<number> {
    return this.filtered(type, { ...request, limit: 0 }).getCount();
  }

  /**
   * Stores summaries and marks rows indexed in one transaction, unless a row changed since it was read
   * (its content hash no longer matches). One UPDATE … FROM (VALUES …) per slice of rows instead of one
   * statement per row: PostgreSQL and SQLite (3.33+) both accept it, and a 500-row chunk is one round trip.
   */
  async markIndexed(input: {
    companyId: string;
    type: DataType;
    rows: IndexedRow[];
    at: Date;
  }): Promise<number> {
    if (input.rows.length === 0) return 0;
    const { entity, id } = TABLE[input.type];
    const meta = this.db.getMetadata(entity);
    const at: unknown = this.db.driver.preparePersistentValue(
      input.at,
      meta.findColumnWithPropertyName('indexedAt')!,
    );
    const postgres = this.db.options.type === 'postgres';
    return serialTransaction(this.db, async (tx) => {
      let updated = 0;
      for (let start = 0; start < input.rows.length; start += MARK_ROWS_PER_STATEMENT) {
        const slice = input.rows.slice(start, start + MARK_ROWS_PER_STATEMENT);
        const params: unknown[] = [input.companyId, at];
        const tuples = slice.map((row) => {
          params.push(row.id, row.contentHash, row.summary, row.summarySource);
          const n = params.length;
          return `(${[n - 3, n - 2, n - 1, n].map((i) => (postgres ? `$${i}` : '?')).join(', ')})`;
        });
        const [company, indexedAt] = postgres ? ['$1', '$2'] : ['?', '?'];
        // SQLite binds `?` in order of appearance: the CTE's values come first there, so move the two heads.
        const ordered = postgres ? params : [...params.slice(2), params[1], params[0]];
        const result = await tx.queryRunner!.query(
          `WITH v(id, content_hash, summary, summary_source) AS (VALUES ${tuples.join(', ')})
           UPDATE ${meta.tableName} AS r
              SET summary = v.summary, summary_source = v.summary_source, indexed_hash = v.content_hash,
                  indexed_at = ${indexedAt}, index_state = 'indexed', index_error = NULL
             FROM v
            WHERE r.company_id = ${company} AND r.${id} = v.id AND r.content_hash = v.content_hash`,
          ordered,
          true,
        );
        updated += result.affected ?? 0;
      }
      return updated;
    });
  }

  async markFailed(input: {
    companyId: string;
    type: DataType;
    rows: Array<{ id: string; contentHash: string; error: string }>;
  }): Promise<void> {
    const { entity, prop } = TABLE[input.type];
    if (input.rows.length === 0) return;
    await serialTransaction(this.db, async (tx) => {
      for (const row of input.rows) {
        await tx
          .getRepository(entity)
          .update({ companyId: input.companyId, [prop]: row.id, contentHash: row.contentHash } as never, {
            indexState: 'failed',
            indexError: row.error.slice(0, 2_000),
          });
      }
    });
  }

  /**
   * False once the company's erasure was requested (or its row is gone): a job queued before the erasure must
   * not write its vectors, keywords or summaries again.
   */
  async writable(companyId: string): Promise<boolean> {
    const row = await this.db
      .getRepository(CompanyEntity)
      .findOne({ select: { id: true, erasingSince: true }, where: { id: companyId } });
    return row !== null && row.erasingSince === null;
  }

  /** Every company, for a re-index of all of them. */
  async companyIds(): Promise<string[]> {
    const rows = await this.db.getRepository(CompanyEntity).find({ select: { id: true }, order: { id: 'ASC' } });
    return rows.map((row) => row.id);
  }

  /** Companies with rows waiting for indexing, for the reconciler (bounded per sweep). */
  async companiesWithPending(limit: number): Promise<Array<{ companyId: string; type: DataType }>> {
    const out: Array<{ companyId: string; type: DataType }> = [];
    for (const type of ['tickets', 'articles'] as const) {
      const rows: Array<{ company_id: string }> = await this.db
        .getRepository(TABLE[type].entity)
        .createQueryBuilder('r')
        .select('DISTINCT r.company_id', 'company_id')
        .where("r.index_state = 'pending'")
        .limit(limit)
        .getRawMany();
      for (const row of rows) out.push({ companyId: row.company_id, type });
    }
    return out;
  }

  private filtered(type: DataType, request: ScanRequest): SelectQueryBuilder<TicketEntity | ArticleEntity> {
    const qb = (
      this.db.getRepository(TABLE[type].entity) as import('typeorm').Repository<TicketEntity | ArticleEntity>
    )
      .createQueryBuilder('r')
      .where('r.company_id = :companyId', { companyId: request.companyId });
    if (request.range) {
      qb.andWhere('r.updated_at >= :from AND r.updated_at <= :to', {
        from: request.range.from,
        to: request.range.to,
      });
    }
    if (request.pendingOnly) qb.andWhere("r.index_state = 'pending'");
    if (request.indexed) {
      qb.andWhere("r.index_state = 'indexed' AND r.summary IS NOT NULL");
      if (request.indexed.since) qb.andWhere('r.indexed_at >= :since', { since: request.indexed.since });
    }
    return qb;
  }
}

function toRow(type: DataType, r: TicketEntity | ArticleEntity): TicketRow | ArticleRow {
  if (type === 'tickets') {
    const t = r as TicketEntity;
    return {
      id: t.ticketId,
      subject: t.subject,
      description: t.description,
      status: t.status,
      priority: t.priority,
      tags: t.tags,
      conversations: t.conversations,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      contentHash: t.contentHash,
      indexedHash: t.indexedHash,
      indexState: t.indexState,
      summary: t.summary,
    };
  }
  const a = r as ArticleEntity;
  return {
    id: a.articleId,
    title: a.title,
    body: a.body,
    category: a.category,
    tags: a.tags,
    updatedAt: a.updatedAt,
    contentHash: a.contentHash,
    indexedHash: a.indexedHash,
    indexState: a.indexState,
    summary: a.summary,
  };
}

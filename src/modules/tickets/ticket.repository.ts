import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ArticleEntity, TicketEntity } from '../../database/entities';
import { Incoming, planUpsert, StoredVersion } from './domain/upsert-plan';
import { serialTransaction } from '../../database/serial-transaction';

const WRITE_CHUNK = 500;

const TICKET_UPDATE_COLUMNS = [
  'subject',
  'description',
  'status',
  'priority',
  'tags',
  'conversations',
  'created_at',
  'updated_at',
  'content_hash',
  'index_state',
  'index_error',
];
const ARTICLE_UPDATE_COLUMNS = [
  'title',
  'body',
  'category',
  'tags',
  'updated_at',
  'content_hash',
  'index_state',
  'index_error',
];

const UPSERT_SHAPE = new Map<unknown, { updateColumns: string[]; idColumn: string; idProperty: string }>([
  [TicketEntity, { updateColumns: TICKET_UPDATE_COLUMNS, idColumn: 'ticket_id', idProperty: 'ticketId' }],
  [ArticleEntity, { updateColumns: ARTICLE_UPDATE_COLUMNS, idColumn: 'article_id', idProperty: 'articleId' }],
]);

export interface TicketListFilter {
  status?: string;
  updatedSince?: Date;
  after?: { updatedAt: Date; id: string };
  limit: number;
}

/** Every query is scoped by company_id, the first argument of every method. */
@Injectable()
export class TicketRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One transaction: read stored versions, write only what changed (marked `pending`). */
  upsert(
    companyId: string,
    incoming: Incoming<Partial<TicketEntity>>[],
  ): Promise<{ changedIds: string[]; unchanged: number }> {
    return this.upsertChanged(TicketEntity, companyId, incoming);
  }

  findOne(companyId: string, ticketId: string): Promise<TicketEntity | null> {
    return this.db.getRepository(TicketEntity).findOne({ where: { companyId, ticketId } });
  }

  /** A page in (updated_at, ticket_id) order, resumed from a keyset position: never OFFSET. */
  list(companyId: string, filter: TicketListFilter): Promise<TicketEntity[]> {
    const qb = this.db
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .where('t.company_id = :companyId', { companyId });
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.updatedSince) qb.andWhere('t.updated_at >= :since', { since: filter.updatedSince });
    if (filter.after) {
      const { updatedAt, id } = filter.after;
      // A row comparison: an index condition on (company_id, updated_at, ticket_id), see IndexingRepository.scan.
      qb.andWhere('(t.updated_at, t.ticket_id) > (:afterAt, :afterId)', { afterAt: updatedAt, afterId: id });
    }
    return qb.orderBy('t.updated_at', 'ASC').addOrderBy('t.ticket_id', 'ASC').limit(filter.limit).getMany();
  }

  private async versions(
    tx: EntityManager,
    entity: typeof TicketEntity | typeof ArticleEntity,
    companyId: string,
    ids: string[],
  ): Promise<Map<string, StoredVersion>> {
    const idColumn = entity === TicketEntity ? 'ticketId' : 'articleId';
    const rows = (await tx.getRepository(entity).find({
      select: { [idColumn]: true, contentHash: true, updatedAt: true } as never,
      where: { companyId, [idColumn]: In(ids) } as never,
    })) as unknown as Array<Record<string, unknown> & StoredVersion>;
    return new Map(
      rows.map((r) => [r[idColumn] as string, { contentHash: r.contentHash, updatedAt: r.updatedAt }]),
    );
  }

  /** Articles share the outbox pattern and the same upsert. */
  upsertArticles(
    companyId: string,
    incoming: Incoming<Partial<ArticleEntity>>[],
  ): Promise<{ changedIds: string[]; unchanged: number }> {
    return this.upsertChanged(ArticleEntity, companyId, incoming);
  }

  private upsertChanged<E extends TicketEntity | ArticleEntity>(
    entity: new () => E,
    companyId: string,
    incoming: Incoming<Partial<E>>[],
  ): Promise<{ changedIds: string[]; unchanged: number }> {
    const shape = UPSERT_SHAPE.get(entity)!;
    return serialTransaction(this.db, async (tx) => {
      const stored = await this.versions(
        tx,
        entity as never,
        companyId,
        incoming.map((i) => i.id),
      );
      const plan = planUpsert(incoming, stored);
      for (let i = 0; i < plan.write.length; i += WRITE_CHUNK) {
        await this.insertOrUpdate(tx, entity, shape, plan.write.slice(i, i + WRITE_CHUNK));
      }
      return {
        changedIds: plan.write.map((row) => (row as Record<string, unknown>)[shape.idProperty] as string),
        unchanged: plan.unchanged,
      };
    });
  }

  /**
   * One multi-row INSERT … ON CONFLICT (company_id, id) DO UPDATE, written here rather than through
   * TypeORM's InsertQueryBuilder: the builder's per-parameter bookkeeping took a fifth of the API's CPU on
   * PUT /api/v1/tickets (1,000 tickets a body). Values go through the driver's own conversion (simple-json,
   * dates), and PostgreSQL and SQLite (3.24+) share the statement.
   */
  private async insertOrUpdate(
    tx: EntityManager,
    entity: new () => TicketEntity | ArticleEntity,
    shape: { updateColumns: string[]; idColumn: string },
    rows: unknown[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const meta = this.db.getMetadata(entity);
    const columns = meta.columns.filter((c) =>
      rows.some((r) => (r as Record<string, unknown>)[c.propertyName] !== undefined),
    );
    const postgres = this.db.options.type === 'postgres';
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const marks = columns.map((column) => {
        const value = (row as Record<string, unknown>)[column.propertyName];
        params.push(value === undefined ? null : this.db.driver.preparePersistentValue(value, column));
        return postgres ? `$${params.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    const quote = (name: string) => `"${name}"`;
    // Unqualified like every raw statement here: PostgreSQL connections pin search_path to the schema.
    const table = quote(meta.tableName);
    await tx.query(
      `INSERT INTO ${table} (${columns.map((c) => quote(c.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}
       ON CONFLICT (company_id, ${shape.idColumn}) DO UPDATE SET ${shape.updateColumns
         .map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`)
         .join(', ')}`,
      params,
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ArticleEntity, DeletedItemEntity, TicketEntity } from '../../database/entities';
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

interface TableShape {
  updateColumns: string[];
  idColumn: string;
  idProperty: string;
  /** The outbox type of its tombstones (deleted_item.type). */
  deletedType: 'tickets' | 'articles';
}

const UPSERT_SHAPE = new Map<unknown, TableShape>([
  [
    TicketEntity,
    { updateColumns: TICKET_UPDATE_COLUMNS, idColumn: 'ticket_id', idProperty: 'ticketId', deletedType: 'tickets' },
  ],
  [
    ArticleEntity,
    { updateColumns: ARTICLE_UPDATE_COLUMNS, idColumn: 'article_id', idProperty: 'articleId', deletedType: 'articles' },
  ],
]);

/** Ids bound per DELETE or tombstone INSERT: well under both databases' parameter limits. */
const DELETE_CHUNK = 500;

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
      const changedIds = plan.write.map((row) => (row as Record<string, unknown>)[shape.idProperty] as string);
      // A recreated item is no longer deleted: its tombstone must not make the worker remove the new version.
      const recreated = changedIds.filter((id) => !stored.has(id));
      for (let i = 0; i < recreated.length; i += DELETE_CHUNK) {
        await tx.getRepository(DeletedItemEntity).delete({
          companyId,
          type: shape.deletedType,
          itemId: In(recreated.slice(i, i + DELETE_CHUNK)),
        });
      }
      return { changedIds, unchanged: plan.unchanged };
    });
  }

  /** Deletes tickets now and leaves a tombstone each for the worker (vector and keyword entries). */
  deleteTickets(companyId: string, ids: string[], at: Date): Promise<{ deleted: string[]; notFound: string[] }> {
    return this.deleteWithTombstones(TicketEntity, { companyId, ids, at });
  }

  deleteArticles(companyId: string, ids: string[], at: Date): Promise<{ deleted: string[]; notFound: string[] }> {
    return this.deleteWithTombstones(ArticleEntity, { companyId, ids, at });
  }

  /** Ticket ids last updated before `before`, oldest first (the retention job deletes them page by page). */
  async idsUpdatedBefore(companyId: string, before: Date, limit: number): Promise<string[]> {
    const rows = await this.db
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .select('t.ticket_id', 'id')
      .where('t.company_id = :companyId AND t.updated_at < :before', { companyId, before })
      .orderBy('t.updated_at', 'ASC')
      .addOrderBy('t.ticket_id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /**
   * The row goes and its tombstone comes in one transaction: the deletion is in the outbox the moment it is
   * visible, so a crash or a queue outage after it cannot leave a vector nobody will remove.
   */
  private deleteWithTombstones<E extends TicketEntity | ArticleEntity>(
    entity: new () => E,
    input: { companyId: string; ids: string[]; at: Date },
  ): Promise<{ deleted: string[]; notFound: string[] }> {
    const shape = UPSERT_SHAPE.get(entity)!;
    const { companyId, at } = input;
    const ids = [...new Set(input.ids)];
    return serialTransaction(this.db, async (tx) => {
      const deleted: string[] = [];
      for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
        const slice = ids.slice(i, i + DELETE_CHUNK);
        const present = (await tx.getRepository(entity).find({
          select: { [shape.idProperty]: true } as never,
          where: { companyId, [shape.idProperty]: In(slice) } as never,
        })) as unknown as Array<Record<string, string>>;
        const found = present.map((row) => row[shape.idProperty]);
        if (found.length === 0) continue;
        await tx.getRepository(entity).delete({ companyId, [shape.idProperty]: In(found) } as never);
        await tx
          .createQueryBuilder()
          .insert()
          .into(DeletedItemEntity)
          .values(found.map((itemId) => ({ companyId, type: shape.deletedType, itemId, deletedAt: at, purgedAt: null })))
          .orUpdate(['deleted_at', 'purged_at'], ['company_id', 'type', 'item_id'])
          .execute();
        deleted.push(...found);
      }
      const gone = new Set(deleted);
      return { deleted, notFound: ids.filter((id) => !gone.has(id)) };
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

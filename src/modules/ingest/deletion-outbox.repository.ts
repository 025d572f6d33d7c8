import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Brackets,
  DataSource,
  DeleteQueryBuilder,
  In,
  IsNull,
  LessThan,
  ObjectLiteral,
  SelectQueryBuilder,
  UpdateQueryBuilder,
} from 'typeorm';
import { ArticleEntity, DeletedItemEntity, TicketEntity } from '../../database/entities';
import { serialTransaction } from '../../database/serial-transaction';
import type { DataType } from '../jobs/jobs';

export interface Tombstone {
  type: DataType;
  id: string;
  deletedAt: Date;
}

const TABLE = {
  tickets: { entity: TicketEntity, prop: 'ticketId' },
  articles: { entity: ArticleEntity, prop: 'articleId' },
} as const;

/** The deletion outbox (deleted_item): what the purge job reads and settles. Every method is company-scoped. */
@Injectable()
export class DeletionOutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Tombstones whose index entries have not been removed yet. */
  async unpurged(companyId: string, limit: number): Promise<Tombstone[]> {
    const rows = await this.db.getRepository(DeletedItemEntity).find({
      where: { companyId, purgedAt: IsNull() },
      order: { deletedAt: 'ASC', itemId: 'ASC' },
      take: limit,
    });
    return rows.map(toTombstone);
  }

  /** Purged tombstones past the grace period: removed once more, then forgotten. */
  async expired(companyId: string, purgedBefore: Date, limit: number): Promise<Tombstone[]> {
    const rows = await this.db.getRepository(DeletedItemEntity).find({
      where: { companyId, purgedAt: LessThan(purgedBefore) },
      order: { purgedAt: 'ASC', itemId: 'ASC' },
      take: limit,
    });
    return rows.map(toTombstone);
  }

  /**
   * Marks tombstones purged unless the item was deleted again since they were read (a newer deleted_at).
   * Returns how many were marked: the purge stops when a batch makes no progress.
   */
  markPurged(companyId: string, tombstones: Tombstone[], at: Date): Promise<number> {
    const purgedAt = this.dateValue(at);
    return this.settle(companyId, tombstones, (qb) =>
      qb
        .update(DeletedItemEntity)
        .set({ purgedAt: () => ':purgedAt' })
        .setParameter('purgedAt', purgedAt),
    );
  }

  /** Forgets tombstones, again only those still as they were read. */
  remove(companyId: string, tombstones: Tombstone[]): Promise<number> {
    return this.settle(companyId, tombstones, (qb) => qb.delete().from(DeletedItemEntity));
  }

  /** Of these ids, those stored again (upserted after their delete). */
  async existing(companyId: string, type: DataType, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { entity, prop } = TABLE[type];
    const rows = (await this.db.getRepository(entity).find({
      select: { [prop]: true } as never,
      where: { companyId, [prop]: In(ids) } as never,
    })) as unknown as Array<Record<string, string>>;
    return rows.map((r) => r[prop]);
  }

  /** Back into the indexing outbox: their index entries were removed by a purge that raced the recreation. */
  async markPending(companyId: string, type: DataType, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { entity, prop } = TABLE[type];
    await serialTransaction(this.db, (tx) =>
      tx
        .getRepository(entity)
        .update(
          { companyId, [prop]: In(ids) } as never,
          { indexState: 'pending', indexedHash: null } as never,
        ),
    );
  }

  /** Companies with tombstones to purge or past their grace period, for the reconciler. */
  async companiesWithWork(purgedBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.db
      .getRepository(DeletedItemEntity)
      .createQueryBuilder('d')
      .select('DISTINCT d.company_id', 'company_id')
      .where(
        new Brackets((qb) =>
          qb.where('d.purged_at IS NULL').orWhere('d.purged_at < :before', { before: purgedBefore }),
        ),
      )
      .limit(limit)
      .getRawMany<{ company_id: string }>();
    return rows.map((r) => r.company_id);
  }

  /** Tombstones read together share a deleted_at (one bulk delete): one statement per (type, deleted_at). */
  private async settle(
    companyId: string,
    tombstones: Tombstone[],
    statement: (
      qb: SelectQueryBuilder<ObjectLiteral>,
    ) => UpdateQueryBuilder<ObjectLiteral> | DeleteQueryBuilder<ObjectLiteral>,
  ): Promise<number> {
    const groups = new Map<string, { type: DataType; deletedAt: Date; ids: string[] }>();
    for (const t of tombstones) {
      const key = `${t.type}:${t.deletedAt.getTime()}`;
      const group = groups.get(key) ?? { type: t.type, deletedAt: t.deletedAt, ids: [] };
      group.ids.push(t.id);
      groups.set(key, group);
    }
    return serialTransaction(this.db, async (tx) => {
      let affected = 0;
      for (const group of groups.values()) {
        const result = await statement(tx.createQueryBuilder())
          // Bound as the driver stores dates (SQLite keeps text): a Date bound as is would never be equal.
          .where(
            'company_id = :companyId AND type = :type AND item_id IN (:...ids) AND deleted_at = :deletedAt',
            {
              companyId,
              type: group.type,
              ids: group.ids,
              deletedAt: this.dateValue(group.deletedAt),
            },
          )
          .execute();
        affected += result.affected ?? 0;
      }
      return affected;
    });
  }

  private dateValue(date: Date): unknown {
    const column = this.db.getMetadata(DeletedItemEntity).findColumnWithPropertyName('deletedAt')!;
    return this.db.driver.preparePersistentValue(date, column);
  }
}

function toTombstone(row: DeletedItemEntity): Tombstone {
  return { type: row.type, id: row.itemId, deletedAt: row.deletedAt };
}

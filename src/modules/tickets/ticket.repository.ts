import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { ArticleEntity, TicketEntity } from '../../database/entities';
import { Incoming, planUpsert, StoredVersion } from './domain/upsert-plan';

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
  async upsert(
    companyId: string,
    incoming: Incoming<Partial<TicketEntity>>[],
  ): Promise<{ changedIds: string[]; unchanged: number }> {
    return this.db.transaction(async (tx) => {
      const stored = await this.versions(tx, TicketEntity, companyId, incoming.map((i) => i.id));
      const plan = planUpsert(incoming, stored);
      for (let i = 0; i < plan.write.length; i += WRITE_CHUNK) {
        await tx
          .createQueryBuilder()
          .insert()
          .into(TicketEntity)
          .values(plan.write.slice(i, i + WRITE_CHUNK))
          .orUpdate(TICKET_UPDATE_COLUMNS, ['company_id', 'ticket_id'])
          .execute();
      }
      return { changedIds: plan.write.map((row) => row.ticketId as string), unchanged: plan.unchanged };
    });
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
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('t.updated_at > :afterAt', { afterAt: updatedAt })
            .orWhere('(t.updated_at = :afterAt AND t.ticket_id > :afterId)', { afterAt: updatedAt, afterId: id }),
        ),
      );
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
    return new Map(rows.map((r) => [r[idColumn] as string, { contentHash: r.contentHash, updatedAt: r.updatedAt }]));
  }

  /** Articles share the outbox pattern; kept here so both upserts stay one shape. */
  async upsertArticles(
    companyId: string,
    incoming: Incoming<Partial<ArticleEntity>>[],
  ): Promise<{ changedIds: string[]; unchanged: number }> {
    return this.db.transaction(async (tx) => {
      const stored = await this.versions(tx, ArticleEntity, companyId, incoming.map((i) => i.id));
      const plan = planUpsert(incoming, stored);
      for (let i = 0; i < plan.write.length; i += WRITE_CHUNK) {
        await tx
          .createQueryBuilder()
          .insert()
          .into(ArticleEntity)
          .values(plan.write.slice(i, i + WRITE_CHUNK))
          .orUpdate(ARTICLE_UPDATE_COLUMNS, ['company_id', 'article_id'])
          .execute();
      }
      return { changedIds: plan.write.map((row) => row.articleId as string), unchanged: plan.unchanged };
    });
  }

  findArticle(companyId: string, articleId: string): Promise<ArticleEntity | null> {
    return this.db.getRepository(ArticleEntity).findOne({ where: { companyId, articleId } });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ArticleEntity, TicketEntity } from '../../../database/entities';

export interface StoredSummary {
  id: string;
  summary: string;
  summarySource: string | null;
  indexedAt: Date | null;
}

/**
 * Reads of the company export: pages in primary-key order (company_id, id), resumed after the last id, never
 * OFFSET and never a transaction held across pages. The key never changes under an upsert, so an item is read
 * at most once however its updated_at moves while the export runs. Each page is one statement, bounded by the
 * database's statement timeout.
 */
@Injectable()
export class CompanyExportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  ticketsPage(companyId: string, input: { afterId?: string; limit: number }): Promise<TicketEntity[]> {
    const qb = this.db
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .where('t.company_id = :companyId', { companyId });
    if (input.afterId !== undefined) qb.andWhere('t.ticket_id > :afterId', { afterId: input.afterId });
    return qb.orderBy('t.ticket_id', 'ASC').limit(input.limit).getMany();
  }

  articlesPage(companyId: string, input: { afterId?: string; limit: number }): Promise<ArticleEntity[]> {
    const qb = this.db
      .getRepository(ArticleEntity)
      .createQueryBuilder('a')
      .where('a.company_id = :companyId', { companyId });
    if (input.afterId !== undefined) qb.andWhere('a.article_id > :afterId', { afterId: input.afterId });
    return qb.orderBy('a.article_id', 'ASC').limit(input.limit).getMany();
  }

  /** Stored summaries of tickets or articles (only the summary columns are read). */
  async summariesPage(
    companyId: string,
    input: { of: 'ticket' | 'article'; afterId?: string; limit: number },
  ): Promise<StoredSummary[]> {
    if (input.of === 'ticket') {
      const qb = this.db
        .getRepository(TicketEntity)
        .createQueryBuilder('t')
        .select(['t.companyId', 't.ticketId', 't.summary', 't.summarySource', 't.indexedAt'])
        .where('t.company_id = :companyId AND t.summary IS NOT NULL', { companyId });
      if (input.afterId !== undefined) qb.andWhere('t.ticket_id > :afterId', { afterId: input.afterId });
      const rows = await qb.orderBy('t.ticket_id', 'ASC').limit(input.limit).getMany();
      return rows.map((row) => toSummary(row.ticketId, row));
    }
    const qb = this.db
      .getRepository(ArticleEntity)
      .createQueryBuilder('a')
      .select(['a.companyId', 'a.articleId', 'a.summary', 'a.summarySource', 'a.indexedAt'])
      .where('a.company_id = :companyId AND a.summary IS NOT NULL', { companyId });
    if (input.afterId !== undefined) qb.andWhere('a.article_id > :afterId', { afterId: input.afterId });
    const rows = await qb.orderBy('a.article_id', 'ASC').limit(input.limit).getMany();
    return rows.map((row) => toSummary(row.articleId, row));
  }
}

function toSummary(
  id: string,
  row: { summary: string | null; summarySource: string | null; indexedAt: Date | null },
): StoredSummary {
  return { id, summary: row.summary ?? '', summarySource: row.summarySource, indexedAt: row.indexedAt };
}

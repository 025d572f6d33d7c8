import { DataSource, In } from 'typeorm';
import { ArticleEntity, TicketEntity } from '../../../database/entities';
import type { SearchDataType } from '../domain/search-document';
import { DocumentPresence } from '../ports/document-presence.port';

/** One primary-key lookup per type and search (a result page of ids, never more). */
export class TypeOrmDocumentPresence extends DocumentPresence {
  constructor(private readonly db: DataSource) {
    super();
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
    if (type === 'ticket') {
      const rows = await this.db
        .getRepository(TicketEntity)
        .find({ select: { ticketId: true }, where: { companyId, ticketId: In(unique) } });
      return new Set(rows.map((r) => r.ticketId));
    }
    const rows = await this.db
      .getRepository(ArticleEntity)
      .find({ select: { articleId: true }, where: { companyId, articleId: In(unique) } });
    return new Set(rows.map((r) => r.articleId));
  }
}

import { Injectable } from '@nestjs/common';
import { CompanyExporter, ExportRecord, keysetRows } from '../../../common/tenancy/company-data';
import { CompanyExportRepository } from './company-export.repository';

/** `ticket` lines: every stored field a PUT /api/v1/tickets would take back, and the index state. */
@Injectable()
export class TicketsExporter extends CompanyExporter {
  readonly store = 'tickets';

  constructor(private readonly repository: CompanyExportRepository) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    const rows = keysetRows({
      page: (afterId, limit) => this.repository.ticketsPage(companyId, { afterId, limit }),
      idOf: (row) => row.ticketId,
    });
    for await (const t of rows) {
      yield {
        type: 'ticket',
        ticket_id: t.ticketId,
        subject: t.subject,
        description: t.description,
        status: t.status,
        priority: t.priority,
        tags: t.tags,
        conversations: t.conversations,
        created_at: t.createdAt.toISOString(),
        updated_at: t.updatedAt.toISOString(),
        index_state: t.indexState,
      };
    }
  }
}

/** `article` lines: every stored field a PUT /api/v1/articles would take back, and the index state. */
@Injectable()
export class ArticlesExporter extends CompanyExporter {
  readonly store = 'articles';

  constructor(private readonly repository: CompanyExportRepository) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    const rows = keysetRows({
      page: (afterId, limit) => this.repository.articlesPage(companyId, { afterId, limit }),
      idOf: (row) => row.articleId,
    });
    for await (const a of rows) {
      yield {
        type: 'article',
        article_id: a.articleId,
        title: a.title,
        body: a.body,
        category: a.category,
        tags: a.tags,
        updated_at: a.updatedAt.toISOString(),
        index_state: a.indexState,
      };
    }
  }
}

/** `summary` lines: the stored summary of each ticket, then of each article (`of` and `id` name the item). */
@Injectable()
export class SummariesExporter extends CompanyExporter {
  readonly store = 'summaries';

  constructor(private readonly repository: CompanyExportRepository) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    for (const itemType of ['ticket', 'article'] as const) {
      const rows = keysetRows({
        page: (afterId, limit) => this.repository.summariesPage(companyId, { of: itemType, afterId, limit }),
        idOf: (row) => row.id,
      });
      for await (const s of rows) {
        yield {
          type: 'summary',
          of: itemType,
          id: s.id,
          summary: s.summary,
          summary_source: s.summarySource,
          indexed_at: s.indexedAt ? s.indexedAt.toISOString() : null,
        };
      }
    }
  }
}

import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { ArticleEntity, TicketEntity } from '../../database/entities';
import { DataChangeEvents } from '../events/data-change.events';
import { TicketRepository } from './ticket.repository';
import { contentHash } from './domain/content-hash';
import { decodeCursor, encodeCursor } from './domain/cursor';
import { findDuplicateIds } from './domain/upsert-plan';
import { ArticleDto } from './dto/article.dto';
import {
  DeleteResultDto,
  ListTicketsQueryDto, TicketDto, TicketPageDto, TicketViewDto, UpsertResultDto } from './dto/ticket.dto';

const DEFAULT_PAGE = 50;

@Injectable()
export class TicketsService {
  constructor(
    private readonly repository: TicketRepository,
    private readonly events: DataChangeEvents,
  ) {}

  async upsertTickets(companyId: string, tickets: TicketDto[]): Promise<UpsertResultDto> {
    const duplicates = findDuplicateIds(tickets.map((t) => t.ticket_id), { list: 'tickets', key: 'ticket_id' });
    if (duplicates.length > 0) throw AppError.invalid(duplicates);
    const incoming = tickets.map((dto) => {
      const row = toTicketRow(companyId, dto);
      return { id: dto.ticket_id, contentHash: row.contentHash, updatedAt: row.updatedAt, row };
    });
    const { changedIds, unchanged } = await this.repository.upsert(companyId, incoming);
    await this.events.publish({ companyId, type: 'ticket', change: 'upserted', ids: changedIds });
    return { upserted: changedIds.length, unchanged };
  }

  async upsertArticles(companyId: string, articles: ArticleDto[]): Promise<UpsertResultDto> {
    const duplicates = findDuplicateIds(articles.map((a) => a.article_id), { list: 'articles', key: 'article_id' });
    if (duplicates.length > 0) throw AppError.invalid(duplicates);
    const incoming = articles.map((dto) => {
      const row = toArticleRow(companyId, dto);
      return { id: dto.article_id, contentHash: row.contentHash, updatedAt: row.updatedAt, row };
    });
    const { changedIds, unchanged } = await this.repository.upsertArticles(companyId, incoming);
    await this.events.publish({ companyId, type: 'article', change: 'upserted', ids: changedIds });
    return { upserted: changedIds.length, unchanged };
  }

  /** DELETE /api/v1/tickets/{ticket_id}: gone at once; its index entries follow through the outbox. */
  async deleteTicket(companyId: string, ticketId: string): Promise<void> {
    const { deleted } = await this.deleteTickets(companyId, [ticketId]);
    if (deleted === 0) throw AppError.notFound('ticket', ticketId);
  }

  async deleteTickets(companyId: string, ticketIds: string[]): Promise<DeleteResultDto> {
    const { deleted, notFound } = await this.repository.deleteTickets(companyId, ticketIds, new Date());
    await this.events.publish({ companyId, type: 'ticket', change: 'deleted', ids: deleted });
    return { deleted: deleted.length, not_found: notFound };
  }

  async deleteArticle(companyId: string, articleId: string): Promise<void> {
    const { deleted } = await this.repository.deleteArticles(companyId, [articleId], new Date());
    if (deleted.length === 0) throw AppError.notFound('article', articleId);
    await this.events.publish({ companyId, type: 'article', change: 'deleted', ids: deleted });
  }

  async getTicket(companyId: string, ticketId: string): Promise<TicketViewDto> {
    const ticket = await this.repository.findOne(companyId, ticketId);
    if (!ticket) throw AppError.notFound('ticket', ticketId);
    return toTicketView(ticket);
  }

  /** Every ticket of the company as NDJSON lines, read page by page: memory stays flat on any size. */
  async *exportTickets(companyId: string, pageSize = 500): AsyncGenerator<string> {
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.repository.list(companyId, { after, limit: pageSize });
      for (const row of rows) yield `${JSON.stringify(toTicketView(row))}\n`;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { updatedAt: last.updatedAt, id: last.ticketId };
    }
  }

  async listTickets(companyId: string, query: ListTicketsQueryDto): Promise<TicketPageDto> {
    const limit = query.limit ? Number(query.limit) : DEFAULT_PAGE;
    let after: { updatedAt: Date; id: string } | undefined;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) throw AppError.invalid(['cursor is not a valid next_cursor from this API']);
      after = { updatedAt: new Date(cursor.updatedAt), id: cursor.id };
    }
    const rows = await this.repository.list(companyId, {
      status: query.status,
      updatedSince: query.updated_since ? new Date(query.updated_since) : undefined,
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTicketView),
      next_cursor:
        rows.length > limit && last ? encodeCursor({ updatedAt: last.updatedAt.toISOString(), id: last.ticketId }) : null,
    };
  }
}

/** The fields that shape the summary and the vector: a change in any of them means re-indexing. */
export function ticketContent(dto: TicketDto) {
  return {
    subject: dto.subject,
    description: dto.description ?? null,
    status: dto.status,
    priority: dto.priority ?? 'medium',
    tags: dto.tags ?? [],
    conversations: (dto.conversations ?? []).map((m) => ({
      from: m.from,
      body: m.body,
      created_at: new Date(m.created_at).toISOString(),
    })),
    created_at: new Date(dto.created_at).toISOString(),
  };
}

function toTicketRow(companyId: string, dto: TicketDto): TicketEntity {
  const content = ticketContent(dto);
  return Object.assign(new TicketEntity(), {
    companyId,
    ticketId: dto.ticket_id,
    subject: content.subject,
    description: content.description,
    status: content.status,
    priority: content.priority,
    tags: content.tags,
    conversations: dto.conversations ? content.conversations : null,
    createdAt: new Date(content.created_at),
    updatedAt: new Date(dto.updated_at ?? dto.created_at),
    contentHash: contentHash(content),
    indexState: 'pending' as const,
    indexError: null,
  });
}

function toArticleRow(companyId: string, dto: ArticleDto): ArticleEntity {
  const content = { title: dto.title, body: dto.body, category: dto.category ?? null, tags: dto.tags ?? [] };
  return Object.assign(new ArticleEntity(), {
    companyId,
    articleId: dto.article_id,
    ...content,
    updatedAt: new Date(dto.updated_at),
    contentHash: contentHash(content),
    indexState: 'pending' as const,
    indexError: null,
  });
}

export function toTicketView(t: TicketEntity): TicketViewDto {
  return {
    ticket_id: t.ticketId,
    subject: t.subject,
    description: t.description ?? undefined,
    status: t.status as TicketViewDto['status'],
    priority: t.priority as TicketViewDto['priority'],
    tags: t.tags,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    conversations: t.conversations ?? undefined,
    summary: t.summary,
    summary_source: t.summarySource,
    index_state: t.indexState,
    index_error: t.indexError,
    indexed_at: t.indexedAt ? t.indexedAt.toISOString() : null,
  };
}

import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { isDatabaseConnectionError } from '../../common/errors/database-errors';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { ArticleEntity, TicketEntity } from '../../database/entities';
import { DataChangeEvents } from '../events/data-change.events';
import { TicketIndexedEvents } from '../events/ticket-indexed.events';
import { TicketRepository } from './ticket.repository';
import { contentHash } from './domain/content-hash';
import { decodeCursor, encodeCursor } from './domain/cursor';
import { findDuplicateIds } from './domain/upsert-plan';
import { ticketKeys } from './domain/ticket-keys';
import { ArticleDto } from './dto/article.dto';
import {
  DeleteResultDto,
  ListTicketsQueryDto, TicketDto, TicketPageDto, TicketViewDto, UpsertResultDto } from './dto/ticket.dto';

const DEFAULT_PAGE = 50;
/**
 * A change or deletion removes the ticket's copy after the write, and again this much later: a read that
 * fetched the old row just before the write may store its copy after the first removal.
 */
const COPY_SECOND_REMOVAL_MS = 1_000;

/** A ticket as GET answers it; `stale` when it is the last copy because the database could not answer. */
export interface TicketRead {
  ticket: TicketViewDto;
  stale: boolean;
}

/**
 * Tickets and articles: writes, reads, deletions and exports. A ticket read through the API leaves a copy in
 * the cache, answered (STALE) while the database cannot answer. A change or a deletion removes it (retireCopies),
 * and so does the indexing of a new version: that also covers writes that bypass this service's cache (the
 * import CLI runs without one).
 */
@Injectable()
export class TicketsService implements OnModuleInit {
  constructor(
    private readonly repository: TicketRepository,
    private readonly events: DataChangeEvents,
    private readonly indexed: TicketIndexedEvents,
    // Absent in the import CLI, which has no cache: no copies are kept or read there.
    @Optional() private readonly cache?: LayeredCache,
  ) {}

  onModuleInit(): void {
    this.indexed.subscribeDocuments(({ companyId, type, ids }) => {
      if (type === 'tickets') void this.retireCopies(companyId, ids);
    });
  }

  async upsertTickets(companyId: string, tickets: TicketDto[]): Promise<UpsertResultDto> {
    const duplicates = findDuplicateIds(tickets.map((t) => t.ticket_id), { list: 'tickets', key: 'ticket_id' });
    if (duplicates.length > 0) throw AppError.invalid(duplicates);
    const incoming = tickets.map((dto) => {
      const row = toTicketRow(companyId, dto);
      return { id: dto.ticket_id, contentHash: row.contentHash, updatedAt: row.updatedAt, row };
    });
    const { changedIds, unchanged } = await this.repository.upsert(companyId, incoming);
    void this.retireCopies(companyId, changedIds);
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
    // The caches' invalidation first (search results must not show a deleted ticket a moment longer), then its copies.
    await this.events.publish({ companyId, type: 'ticket', change: 'deleted', ids: deleted });
    await this.retireCopies(companyId, deleted);
    return { deleted: deleted.length, not_found: notFound };
  }

  async deleteArticle(companyId: string, articleId: string): Promise<void> {
    const { deleted } = await this.repository.deleteArticles(companyId, [articleId], new Date());
    if (deleted.length === 0) throw AppError.notFound('article', articleId);
    await this.events.publish({ companyId, type: 'article', change: 'deleted', ids: deleted });
  }

  /**
   * The ticket from the database, its view kept as the ticket's copy (in the background). When the database
   * cannot be reached, the last copy (`stale`); with none, the database error (503).
   */
  async getTicket(companyId: string, ticketId: string): Promise<TicketRead> {
    const found = await this.findOrLastCopy(companyId, ticketId);
    if (found.copy) return { ticket: found.copy, stale: true };
    if (!found.row) throw AppError.notFound('ticket', ticketId);
    const ticket = toTicketView(found.row);
    void this.cache?.set(ticketKeys.copy({ companyId, ticketId }), ticket);
    return { ticket, stale: false };
  }

  /**
   * The stored row (null when there is none); when the database cannot be reached, the ticket's last copy
   * instead; with none, the database error.
   */
  async findOrLastCopy(
    companyId: string,
    ticketId: string,
  ): Promise<{ row: TicketEntity | null; copy?: undefined } | { row?: undefined; copy: TicketViewDto }> {
    try {
      return { row: await this.repository.findOne(companyId, ticketId) };
    } catch (error) {
      if (!isDatabaseConnectionError(error)) throw error;
      const copy = await this.lastCopy(companyId, ticketId);
      if (!copy) throw error;
      return { copy };
    }
  }

  /**
   * The ticket's last copy (a view read through the API since its last change), for a caller whose database
   * read failed; undefined when there is none or the cache does not answer.
   */
  async lastCopy(companyId: string, ticketId: string): Promise<TicketViewDto | undefined> {
    const copy = await this.cache?.get<TicketViewDto>(ticketKeys.copy({ companyId, ticketId }));
    // The key holds the company; checked again, as everywhere.
    return copy?.ticket_id === ticketId ? copy : undefined;
  }

  /**
   * Changed or deleted tickets' copies: removed now (the returned promise) and once more a second later (a read
   * that raced the write may have put the old row back). When the cache cannot confirm a removal, the company's
   * whole session layer (every copy) is invalidated instead, a generation bump that is owed and retried until
   * the store takes it: no copy older than a ticket's last change, or of a deleted ticket, is answered.
   */
  private async retireCopies(companyId: string, ticketIds: string[]): Promise<void> {
    const cache = this.cache;
    if (!cache || ticketIds.length === 0) return;
    const once = async () => {
      const removed = await Promise.all(
        ticketIds.map((ticketId) => cache.delete(ticketKeys.copy({ companyId, ticketId }))),
      );
      if (removed.every(Boolean)) return;
      // The invalidation's own tracker reports and retries it; a failure here says nothing new.
      await cache.invalidate(companyId, ['session']).catch(() => undefined);
    };
    setTimeout(() => void once(), COPY_SECOND_REMOVAL_MS).unref();
    await once();
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
        rows.length > limit && last
          ? encodeCursor({ updatedAt: last.updatedAt.toISOString(), id: last.ticketId })
          : null,
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

import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { isDatabaseConnectionError } from '../../common/errors/database-errors';
import { AppConfig } from '../../config/config';
import type { TicketEntity } from '../../database/entities';
import { CacheMode, CacheResult, LayeredCache } from '../cache/ports/layered-cache.port';
import { summarizeExtractive } from '../llm/domain/extractive-summarizer';
import { LlmService } from '../llm/llm.service';
import type { ChatResult } from '../llm/ports/chat-model.port';
import { TicketRepository } from '../tickets/ticket.repository';
import { TicketsService, toTicketView } from '../tickets/tickets.service';
import type { TicketViewDto } from '../tickets/dto/ticket.dto';
import { BackgroundTasks } from './background-tasks.service';
import { assistKeys } from './domain/assist-keys';
import { chooseSummary, InitBundle, InitPart, toKbArticles, toSimilarTickets } from './domain/init-bundle';
import { conversationText, similarityQuery, TicketLike, ticketLikeOf } from './domain/ticket-context';
import { LlmCredit } from './llm-credit.service';
import { Retrieval, RetrievalService } from './retrieval.service';

export type TicketBundle = InitBundle<TicketViewDto>;

/**
 * Builds the /init bundle of a ticket (summary, similar tickets, related articles) and caches it in the API
 * layer. Used by /init and by the prefetch that runs where tickets are indexed, so it lives in every role.
 * The three parts run in parallel under the /init deadline; a part that misses it makes the bundle partial
 * (returned, never cached).
 */
@Injectable()
export class InitBundleService {
  private readonly summariesInFlight = new Set<string>();

  constructor(
    private readonly tickets: TicketRepository,
    private readonly ticketCopies: TicketsService,
    private readonly retrieval: RetrievalService,
    private readonly cache: LayeredCache,
    private readonly llm: LlmService,
    private readonly credit: LlmCredit,
    private readonly background: BackgroundTasks,
    private readonly config: AppConfig,
  ) {}

  /**
   * `deadlineMs` defaults to the /init deadline; prefetch passes its own, longer one. `refresh` rebuilds the
   * bundle but still reads its parts (search results, summary) from cache, unlike a client's `no-cache`.
   */
  async bundle(input: {
    companyId: string;
    ticketId: string;
    mode?: CacheMode;
    refresh?: boolean;
    deadlineMs?: number;
  }): Promise<CacheResult<TicketBundle>> {
    const { companyId, ticketId } = input;
    const mode = input.refresh ? 'no-cache' : (input.mode ?? 'default');
    let ticket: TicketEntity | null;
    try {
      ticket = await this.tickets.findOne(companyId, ticketId);
    } catch (error) {
      if (!isDatabaseConnectionError(error)) throw error;
      const lastKnown =
        mode === 'default'
          ? ((await this.lastCachedBundle(companyId, ticketId)) ??
            (await this.bundleFromCopy({
              companyId,
              ticketId,
              deadlineMs: input.deadlineMs ?? this.config.assist.initDeadlineMs,
            })))
          : undefined;
      if (!lastKnown) throw error;
      return { value: lastKnown, status: 'STALE' };
    }
    if (!ticket) throw AppError.notFound('ticket', ticketId);
    const complete = (bundle: TicketBundle) => !bundle.partial && !bundle.summary_pending;
    const result = await this.cache.getOrCompute({
      key: this.bundleKey(companyId, ticketId, ticket.contentHash),
      mode,
      compute: () =>
        this.build({
          companyId,
          ticket,
          deadlineMs: input.deadlineMs ?? this.config.assist.initDeadlineMs,
          mode: input.mode ?? 'default',
        }),
      // A bundle still waiting for its LLM summary is not cached: the summary task caches the complete one.
      shouldStore: complete,
    });
    if (result.status === 'MISS' && complete(result.value)) {
      // Where the bundle is found while the database cannot answer; not awaited (a cache that is down is a miss).
      void this.cache
        .set(assistKeys.initRevision({ companyId, ticketId }), ticket.contentHash)
        .catch(() => undefined);
    }
    return result;
  }

  /**
   * The ticket's last cached bundle, for a database that cannot answer: found through the content hash recorded
   * when it was cached, and marked `ticket` (the ticket could not be re-read). Undefined when none is cached.
   */
  private async lastCachedBundle(companyId: string, ticketId: string): Promise<TicketBundle | undefined> {
    const contentHash = await this.cache.get<string>(assistKeys.initRevision({ companyId, ticketId }));
    if (typeof contentHash !== 'string') return undefined;
    const bundle = await this.cache.get<TicketBundle>(this.bundleKey(companyId, ticketId, contentHash));
    if (!bundle) return undefined;
    return { ...bundle, degraded: [...bundle.degraded, 'ticket'] };
  }

  /**
   * No bundle cached, but the ticket's last copy (TicketsService.lastCopy): a bundle around it, marked `ticket`,
   * with its stored summary (else an extractive one) and what retrieval finds without the database. Never cached.
   */
  private async bundleFromCopy(input: {
    companyId: string;
    ticketId: string;
    deadlineMs: number;
  }): Promise<TicketBundle | undefined> {
    const { companyId, deadlineMs } = input;
    const copy = await this.ticketCopies.lastCopy(companyId, input.ticketId);
    if (!copy) return undefined;
    const ticket = ticketLikeOf(copy);
    const related = await this.related({ companyId, ticket, deadlineMs, noCache: false });
    const summary = copy.summary
      ? { summary: copy.summary, source: copy.summary_source ?? ('extractive' as const), pending: false }
      : {
          summary: summarizeExtractive(conversationText(ticket), {
            maxChars: this.config.llm.summaryMaxChars,
          }).summary,
          source: 'extractive' as const,
          pending: false,
        };
    const bundle = this.assemble({ view: copy, ticketId: ticket.ticketId, summary, ...related });
    return { ...bundle, degraded: [...bundle.degraded, 'ticket'] };
  }

  private bundleKey(companyId: string, ticketId: string, contentHash: string) {
    return assistKeys.init({
      companyId,
      ticketId,
      contentHash,
      summaryVersion: this.llm.promptVersion('summary'),
    });
  }

  private async build(input: {
    companyId: string;
    ticket: TicketEntity;
    deadlineMs: number;
    mode: CacheMode;
  }): Promise<TicketBundle> {
    const { companyId, ticket, deadlineMs, mode } = input;
    const noCache = mode === 'no-cache';
    const [summary, related] = await Promise.all([
      this.summaryOf({ companyId, ticket, noCache }),
      this.related({ companyId, ticket, deadlineMs, noCache }),
    ]);
    return this.assemble({ view: toTicketView(ticket), ticketId: ticket.ticketId, summary, ...related });
  }

  /** Similar tickets and related articles of a ticket, in parallel under the deadline. */
  private async related(input: {
    companyId: string;
    ticket: TicketLike;
    deadlineMs: number;
    noCache: boolean;
  }) {
    const { companyId, ticket, deadlineMs, noCache } = input;
    const { similarTickets, kbArticles } = this.config.assist;
    const query = similarityQuery(ticket);
    const [similar, articles] = await Promise.all([
      this.retrieval.retrieve({
        companyId,
        query,
        dataTypes: ['ticket'],
        limit: similarTickets,
        filter: { excludeIds: [ticket.ticketId] },
        deadlineMs,
        noCache,
      }),
      this.retrieval.retrieve({
        companyId,
        query,
        dataTypes: ['article'],
        limit: kbArticles,
        deadlineMs,
        noCache,
      }),
    ]);
    return { similar, articles };
  }

  private assemble(input: {
    view: TicketViewDto;
    ticketId: string;
    summary: { summary: string; source: 'llm' | 'extractive'; pending: boolean };
    similar: Retrieval;
    articles: Retrieval;
  }): TicketBundle {
    const { similarTickets, kbArticles } = this.config.assist;
    const { summary, similar, articles } = input;
    const degraded: InitPart[] = [];
    if (similar.partial) degraded.push('similar_tickets');
    if (articles.partial) degraded.push('kb_articles');
    return {
      ticket: input.view,
      summary: summary.summary,
      summary_source: summary.source,
      similar_tickets: toSimilarTickets(similar.docs, { excludeId: input.ticketId, limit: similarTickets }),
      kb_articles: toKbArticles(articles.docs, kbArticles),
      partial: degraded.length > 0,
      degraded,
      summary_pending: summary.pending,
    };
  }

  /**
   * Never waits for a model: the stored LLM summary, or one made since (cache), or else the extractive
   * summary at once, with an LLM summary scheduled for the next /init.
   */
  private async summaryOf(input: {
    companyId: string;
    ticket: TicketEntity;
    noCache: boolean;
  }): Promise<{ summary: string; source: 'llm' | 'extractive'; pending: boolean }> {
    const { companyId, ticket } = input;
    const upToDate = ticket.indexedHash === ticket.contentHash;
    const stored = upToDate
      ? { text: ticket.summary, source: ticket.summarySource }
      : { text: null, source: null };
    const usesLlm = this.config.llm.provider === 'openai';
    const key = this.summaryKey(companyId, ticket);
    const cachedLlm =
      usesLlm && stored.source !== 'llm' && !input.noCache
        ? (await this.cache.get<ChatResult>(key))?.text
        : undefined;
    const chosen = chooseSummary({
      stored,
      cachedLlm,
      extractive: () =>
        summarizeExtractive(conversationText(ticket), { maxChars: this.config.llm.summaryMaxChars }).summary,
    });
    const pending = usesLlm && chosen.source === 'extractive' && this.scheduleLlmSummary(companyId, ticket);
    return { ...chosen, pending };
  }

  /** One LLM summary per ticket version at a time; when it lands, the complete bundle is built and cached. */
  private scheduleLlmSummary(companyId: string, ticket: TicketEntity): boolean {
    const key = this.summaryKey(companyId, ticket);
    const id = key.toString();
    if (this.summariesInFlight.has(id)) return true;
    const started = this.background.run(`llm summary ${companyId}/${ticket.ticketId}`, async (signal) => {
      try {
        const { value } = await this.cache.getOrCompute({
          key,
          compute: () =>
            this.llm.summarize({ companyId, priority: 'background', signal, text: conversationText(ticket) }),
          shouldStore: (result) => result.source === 'openai',
          credit: (result) => this.credit.of(result),
        });
        if (value.source === 'openai') {
          await this.bundle({
            companyId,
            ticketId: ticket.ticketId,
            refresh: true,
            deadlineMs: this.config.assist.prefetchDeadlineMs,
          });
        }
      } finally {
        this.summariesInFlight.delete(id);
      }
    });
    if (started) this.summariesInFlight.add(id);
    return started;
  }

  private summaryKey(companyId: string, ticket: TicketEntity) {
    return assistKeys.summary({
      companyId,
      ticketId: ticket.ticketId,
      contentHash: ticket.contentHash,
      promptVersion: this.llm.promptVersion('summary'),
    });
  }
}

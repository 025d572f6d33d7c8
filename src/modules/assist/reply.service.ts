import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import { composeGrounded } from '../llm/domain/grounded-composer';
import { detectLanguage } from '../llm/domain/language';
import { LlmService } from '../llm/llm.service';
import { TicketRepository } from '../tickets/ticket.repository';
import { assistKeys } from './domain/assist-keys';
import { remainingMs } from '../../common/async/deadline';
import { numberSources, SourceRef } from './domain/grounding';
import { draftedAloneNotice } from './domain/nothing-found';
import { SseEvent } from './domain/sse';
import { similarityQuery, ticketForReply } from './domain/ticket-context';
import {
  Degradation,
  GenerationSpec,
  generationSse,
  GroundedGeneration,
} from './grounded-generation.service';
import { RetrievalService } from './retrieval.service';
import { SessionService } from './session.service';

export interface ReplyInput {
  companyId: string;
  ticketId: string;
  sessionId?: string;
  instructions?: string;
  cacheMode: CacheMode;
}

export interface ReplyDraft {
  draft: string;
  sources: SourceRef[];
  /** False when no similar ticket or article passed the relevance floor: drafted from the ticket alone. */
  grounded: boolean;
  /** Says so when the draft is not grounded. */
  notice?: string;
  cached: boolean;
  partial: boolean;
  degraded?: Degradation;
}

/** Tickets whose agent replies are worth reusing. */
const RESOLVED = ['resolved', 'closed'];

/**
 * POST /reply: a draft grounded in the ticket and its conversation, the agent replies of similar resolved
 * tickets and related articles, written by the model in the customer's language. Drafts are cached per
 * ticket version, instructions and source set; never in the semantic layer (a draft is for one ticket).
 */
@Injectable()
export class ReplyService {
  constructor(
    private readonly sessions: SessionService,
    private readonly tickets: TicketRepository,
    private readonly retrieval: RetrievalService,
    private readonly generation: GroundedGeneration,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
  ) {}

  async draft(input: ReplyInput): Promise<ReplyDraft> {
    const started = performance.now();
    const prepared = await this.prepare(input, started);
    const outcome = await this.generation.generate(
      prepared.spec,
      remainingMs(started, this.config.assist.replyDeadlineMs, performance.now()),
    );
    const degraded = outcome.degraded ?? (prepared.retrievalPartial ? 'retrieval_timeout' : undefined);
    return {
      draft: outcome.value.text,
      sources: outcome.value.sources,
      ...prepared.grounding,
      cached: outcome.cached,
      partial: outcome.partial || prepared.retrievalPartial,
      ...(degraded ? { degraded } : {}),
    };
  }

  async stream(
    input: ReplyInput,
    signal: AbortSignal,
  ): Promise<{ cached: boolean; events: AsyncIterable<SseEvent> }> {
    const started = performance.now();
    const prepared = await this.prepare(input, started);
    const opened = await this.generation.openStream(prepared.spec, signal);
    const events = generationSse({
      events: opened.events,
      retrievalPartial: prepared.retrievalPartial,
      done: (value, cached) => ({ draft: value.text, sources: value.sources, ...prepared.grounding, cached }),
    });
    return { cached: opened.cached, events };
  }

  private async prepare(
    input: ReplyInput,
    started: number,
  ): Promise<{
    spec: GenerationSpec;
    retrievalPartial: boolean;
    grounding: Pick<ReplyDraft, 'grounded' | 'notice'>;
  }> {
    const { companyId, ticketId, instructions } = input;
    const [ticket] = await Promise.all([
      this.tickets.findOne(companyId, ticketId),
      input.sessionId ? this.sessions.require(companyId, input.sessionId) : undefined,
    ]);
    if (!ticket) throw AppError.notFound('ticket', ticketId);
    const { similarTickets, kbArticles, replyDeadlineMs } = this.config.assist;
    const query = similarityQuery(ticket);
    const deadlineMs = this.retrieval.deadlineWithin(
      remainingMs(started, replyDeadlineMs, performance.now()),
    );
    const noCache = input.cacheMode === 'no-cache';
    const [similar, articles] = await Promise.all([
      this.retrieval.retrieve({
        companyId,
        query,
        dataTypes: ['ticket'],
        limit: similarTickets,
        filter: { status: RESOLVED, excludeIds: [ticketId] },
        deadlineMs,
        noCache,
        grounding: true,
      }),
      this.retrieval.retrieve({
        companyId,
        query,
        dataTypes: ['article'],
        limit: kbArticles,
        deadlineMs,
        noCache,
        grounding: true,
      }),
    ]);
    const docs = [...similar.docs.filter((d) => d.id !== ticketId), ...articles.docs];
    const { grounding, refs } = numberSources({ docs });
    const forReply = ticketForReply(ticket);
    const spec: GenerationSpec = {
      name: `reply ${companyId}/${ticketId}`,
      key: assistKeys.reply({
        companyId,
        ticketId,
        ticket: forReply,
        instructions,
        grounding,
        promptVersion: this.llm.promptVersion('reply'),
      }),
      mode: input.cacheMode,
      sources: refs,
      complete: (signal) =>
        this.llm.draftReply({ companyId, ticket: forReply, sources: grounding, instructions, signal }),
      stream: (signal) =>
        this.llm.streamReply({ companyId, ticket: forReply, sources: grounding, instructions, signal }),
      composeLocally: () =>
        composeGrounded({
          purpose: 'reply',
          language: detectLanguage(`${forReply.subject}\n${forReply.body}`),
          subject: forReply.subject,
          body: forReply.body,
          sources: grounding,
        }),
    };
    const grounded = docs.length > 0;
    return {
      spec,
      retrievalPartial: similar.partial || articles.partial,
      grounding: grounded
        ? { grounded }
        : { grounded, notice: draftedAloneNotice(detectLanguage(`${forReply.subject}\n${forReply.body}`)) },
    };
  }
}

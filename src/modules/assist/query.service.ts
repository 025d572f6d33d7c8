import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import type { SearchDataType } from '../search/domain/search-document';
import { TicketRepository } from '../tickets/ticket.repository';
import { AnswerPlan, AnswerService } from './answer.service';
import { remainingMs } from '../../common/async/deadline';
import type { SourceRef } from './domain/grounding';
import type { AssistSession } from './domain/session';
import { nothingFoundAnswer } from './domain/nothing-found';
import { chunksOf, SseEvent } from './domain/sse';
import { detectLanguage } from '../llm/domain/language';
import { Degradation, generationSse, GroundedGeneration } from './grounded-generation.service';
import { SessionService } from './session.service';

export interface QueryInput {
  companyId: string;
  query: string;
  sessionId?: string;
  dataTypes?: SearchDataType[];
  limit?: number;
  cacheMode: CacheMode;
}

export interface QueryAnswer {
  answer: string;
  sources: SourceRef[];
  session_id: string;
  /** False when nothing retrieved passed the relevance floor. */
  grounded: boolean;
  cached: boolean;
  partial: boolean;
  degraded?: Degradation;
}

/**
 * POST /query: retrieval (vector cache) then a grounded answer (LLM cache, then the semantic layer, then the
 * model), with the session's ticket as context. A query without a session starts one, so follow-ups can
 * carry it.
 */
@Injectable()
export class QueryService {
  constructor(
    private readonly sessions: SessionService,
    private readonly tickets: TicketRepository,
    private readonly answers: AnswerService,
    private readonly generation: GroundedGeneration,
    private readonly config: AppConfig,
  ) {}

  async answer(input: QueryInput): Promise<QueryAnswer> {
    const started = performance.now();
    const prepared = await this.prepare(input, started);
    if (isNothingFound(prepared)) return nothingFound(input.query, prepared.session.session_id);
    const outcome = await this.generation.generate(
      prepared.spec,
      remainingMs(started, this.config.assist.queryDeadlineMs, performance.now()),
    );
    const partial = outcome.partial || prepared.retrievalPartial;
    const degraded = outcome.degraded ?? (prepared.retrievalPartial ? 'retrieval_timeout' : undefined);
    return {
      answer: outcome.value.text,
      sources: outcome.value.sources,
      session_id: prepared.session.session_id,
      grounded: prepared.grounded,
      cached: outcome.cached,
      partial,
      ...(degraded ? { degraded } : {}),
    };
  }

  /** The SSE variant: `token` events, then `done` with the whole answer (or `error`). */
  async stream(
    input: QueryInput,
    signal: AbortSignal,
  ): Promise<{ cached: boolean; events: AsyncIterable<SseEvent> }> {
    const started = performance.now();
    const prepared = await this.prepare(input, started);
    const sessionId = prepared.session.session_id;
    if (isNothingFound(prepared)) {
      const { answer, ...done } = nothingFound(input.query, sessionId);
      return { cached: false, events: answerEvents(answer, { answer, ...done }) };
    }
    const opened = await this.generation.openStream(prepared.spec, signal);
    const events = generationSse({
      events: opened.events,
      retrievalPartial: prepared.retrievalPartial,
      done: (value, cached) => ({
        answer: value.text,
        sources: value.sources,
        session_id: sessionId,
        grounded: prepared.grounded,
        cached,
      }),
    });
    return { cached: opened.cached, events };
  }

  private async prepare(
    input: QueryInput,
    started: number,
  ): Promise<{ session: AssistSession } & AnswerPlan> {
    const { companyId, query } = input;
    // One session read and one write per question: recording the question extends the sliding TTL.
    const session = input.sessionId
      ? await this.sessions.requireForUpdate(companyId, input.sessionId)
      : (await this.sessions.create(companyId, null, query)).session;
    const [ticket] = await Promise.all([
      session.ticket_id ? this.tickets.findOne(companyId, session.ticket_id) : null,
      input.sessionId ? this.sessions.recordQuestion(session, query) : undefined,
    ]);
    const plan = await this.answers.plan({
      companyId,
      question: query,
      dataTypes: input.dataTypes,
      limit: input.limit,
      ticket,
      cacheMode: input.cacheMode,
      retrievalDeadlineMs: remainingMs(started, this.config.assist.queryDeadlineMs, performance.now()),
    });
    return { session, ...plan };
  }
}

/**
 * Retrieval ran to the end, nothing passed the relevance floor, and no ticket is there to answer from (a
 * timed-out retrieval is not "nothing"; a question about the session's ticket is answered from the ticket).
 */
function isNothingFound(prepared: { grounded: boolean; retrievalPartial: boolean; ticketInPrompt: boolean }) {
  return !prepared.grounded && !prepared.retrievalPartial && !prepared.ticketInPrompt;
}

/** The plain "nothing found" answer: no model call, no sources, nothing to cache. */
function nothingFound(question: string, sessionId: string): QueryAnswer {
  return {
    answer: nothingFoundAnswer(detectLanguage(question)),
    sources: [],
    session_id: sessionId,
    grounded: false,
    cached: false,
    partial: false,
  };
}

async function* answerEvents(text: string, done: Record<string, unknown>): AsyncGenerator<SseEvent> {
  for (const chunk of chunksOf(text)) yield { event: 'token', data: { text: chunk } };
  yield { event: 'done', data: done };
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import { stripCitations } from '../llm/domain/numbered-sources';
import type { SearchDataType } from '../search/domain/search-document';
import { TicketRepository } from '../tickets/ticket.repository';
import { AnswerPlan, AnswerService } from './answer.service';
import { remainingMs } from '../../common/async/deadline';
import { isDatabaseConnectionError } from '../../common/errors/database-errors';
import type { SourceRef } from './domain/grounding';
import { AssistSession, turnsOf } from './domain/session';
import { nothingFoundAnswer } from './domain/nothing-found';
import { chunksOf, SseEvent } from './domain/sse';
import { detectLanguage } from '../llm/domain/language';
import {
  Degradation,
  DegradedPart,
  degradedParts,
  generationSse,
  GroundedGeneration,
} from './grounded-generation.service';
import { SessionService } from './session.service';

/** What a session keeps of an answer for follow-ups: its text without citations, bounded. */
const TURN_ANSWER_CHARS = 1_000;

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
  degraded?: DegradedPart[];
}

/**
 * `session`: the session read (null: none given, or the store did not answer); `sessionId`: the id the answer
 * carries when the store did not answer (the client keeps it: the session is still there once it does).
 */
/** An answer before its session is settled; `reason` says why it is partial. */
type Answered = Omit<QueryAnswer, 'session_id' | 'degraded'> & { reason: Degradation | undefined };

type PreparedQuery = {
  session: AssistSession | null;
  unreadSessionId?: string;
  ticketUnavailable?: true;
} & AnswerPlan;

/**
 * POST /query: retrieval (vector cache) then a grounded answer (LLM cache, then the semantic layer, then the
 * model), with the session's ticket and, for a follow-up, its earlier turns as context. When nothing retrieved
 * passes the relevance floor (and no ticket is there to answer from), it answers plainly that the knowledge
 * base has nothing on it, with no sources and no model call. Each answered question is recorded in the
 * session as a turn; a query without a session starts one, so follow-ups can carry it.
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
    const { reason, ...answered } = isNothingFound(prepared)
      ? nothingFound(input.query)
      : await this.generated(prepared, started);
    const turn = turnOf(input.query, answered.answer);
    // One session write per question: the turn, which also extends the sliding TTL (or starts the session).
    // A session the store did not answer for keeps its id and gets no turn (its earlier turns are unknown).
    let sessionId: string;
    let sessionUnavailable = prepared.unreadSessionId !== undefined;
    if (prepared.session) {
      await this.sessions.recordTurn(prepared.session, turn);
      sessionId = prepared.session.session_id;
    } else if (prepared.unreadSessionId !== undefined) {
      sessionId = prepared.unreadSessionId;
    } else {
      const created = await this.sessions.create(input.companyId, null, turn);
      sessionId = created.session.session_id;
      sessionUnavailable = !created.stored;
    }
    return {
      ...answered,
      session_id: sessionId,
      ...degradedParts({ reason, sessionUnavailable, ticketUnavailable: prepared.ticketUnavailable }),
    };
  }

  private async generated(prepared: PreparedQuery, started: number): Promise<Answered> {
    const outcome = await this.generation.generate(
      prepared.spec,
      remainingMs(started, this.config.assist.queryDeadlineMs, performance.now()),
    );
    return {
      answer: outcome.value.text,
      sources: outcome.value.sources,
      grounded: prepared.grounded,
      cached: outcome.cached,
      partial: outcome.partial || prepared.retrievalPartial,
      reason: outcome.degraded ?? (prepared.retrievalPartial ? 'retrieval_timeout' : undefined),
    };
  }

  /** The SSE variant: `token` events, then `done` with the whole answer (or `error`). */
  async stream(
    input: QueryInput,
    signal: AbortSignal,
  ): Promise<{ cached: boolean; events: AsyncIterable<SseEvent> }> {
    const started = performance.now();
    const prepared = await this.prepare(input, started);
    // The id goes out with `done`, so a new session is created now; the turn is recorded when it is done.
    const { session, sessionId, sessionUnavailable } = await this.streamSession(input.companyId, prepared);
    if (isNothingFound(prepared)) {
      const { answer, reason, ...done } = nothingFound(input.query);
      const events = answerEvents(answer, {
        answer,
        ...done,
        session_id: sessionId,
        ...degradedParts({ reason, sessionUnavailable, ticketUnavailable: prepared.ticketUnavailable }),
      });
      return { cached: false, events: this.recordingTurn(events, session, input.query) };
    }
    const opened = await this.generation.openStream(prepared.spec, signal);
    const events = generationSse({
      events: opened.events,
      degraded: prepared.retrievalPartial ? 'retrieval_timeout' : undefined,
      sessionUnavailable,
      ticketUnavailable: prepared.ticketUnavailable,
      done: (value, cached) => ({
        answer: value.text,
        sources: value.sources,
        session_id: sessionId,
        grounded: prepared.grounded,
        cached,
      }),
    });
    return { cached: opened.cached, events: this.recordingTurn(events, session, input.query) };
  }

  /** The stream's session: the one read, the unread one's id, or a new one (stored or not). */
  private async streamSession(
    companyId: string,
    prepared: PreparedQuery,
  ): Promise<{ session: AssistSession | null; sessionId: string; sessionUnavailable: boolean }> {
    if (prepared.session)
      return { session: prepared.session, sessionId: prepared.session.session_id, sessionUnavailable: false };
    if (prepared.unreadSessionId !== undefined)
      return { session: null, sessionId: prepared.unreadSessionId, sessionUnavailable: true };
    const { session, stored } = await this.sessions.create(companyId, null);
    return { session: stored ? session : null, sessionId: session.session_id, sessionUnavailable: !stored };
  }

  private async *recordingTurn(
    events: AsyncIterable<SseEvent>,
    session: AssistSession | null,
    question: string,
  ): AsyncGenerator<SseEvent> {
    for await (const event of events) {
      if (event.event === 'done' && session)
        await this.sessions.recordTurn(session, turnOf(question, String(event.data.answer)));
      yield event;
    }
  }

  private async prepare(input: QueryInput, started: number): Promise<PreparedQuery> {
    const { companyId, query } = input;
    // One session read (without a touch: recording the turn extends the sliding TTL) and one write.
    const lookup = input.sessionId
      ? await this.sessions.requireForUpdate(companyId, input.sessionId)
      : undefined;
    const session = lookup?.session ?? null;
    const unreadSessionId = lookup?.unavailable ? input.sessionId : undefined;
    // The case's facts are context, not the answer: a database that cannot give them degrades the answer.
    let ticket: Awaited<ReturnType<TicketRepository['findOne']>> = null;
    let ticketUnavailable: true | undefined;
    if (session?.ticket_id) {
      try {
        ticket = await this.tickets.findOne(companyId, session.ticket_id);
      } catch (error) {
        if (!isDatabaseConnectionError(error)) throw error;
        ticketUnavailable = true;
      }
    }
    const plan = await this.answers.plan({
      companyId,
      question: query,
      dataTypes: input.dataTypes,
      limit: input.limit,
      ticket,
      turns: session ? turnsOf(session) : [],
      cacheMode: input.cacheMode,
      retrievalDeadlineMs: remainingMs(started, this.config.assist.queryDeadlineMs, performance.now()),
    });
    return {
      session,
      ...(unreadSessionId !== undefined ? { unreadSessionId } : {}),
      ...(ticketUnavailable ? { ticketUnavailable } : {}),
      ...plan,
    };
  }
}

function turnOf(question: string, answer: string): { question: string; answer: string } {
  return { question, answer: Array.from(stripCitations(answer)).slice(0, TURN_ANSWER_CHARS).join('') };
}

/**
 * Retrieval ran to the end, nothing passed the relevance floor, and no ticket is there to answer from (a
 * timed-out retrieval is not "nothing"; a question about the session's ticket is answered from the ticket).
 */
function isNothingFound(prepared: { grounded: boolean; retrievalPartial: boolean; ticketInPrompt: boolean }) {
  return !prepared.grounded && !prepared.retrievalPartial && !prepared.ticketInPrompt;
}

/** The plain "nothing found" answer: no model call, no sources, nothing to cache. */
function nothingFound(question: string): Answered {
  return {
    answer: nothingFoundAnswer(detectLanguage(question)),
    sources: [],
    grounded: false,
    cached: false,
    partial: false,
    reason: undefined,
  };
}

async function* answerEvents(text: string, done: Record<string, unknown>): AsyncGenerator<SseEvent> {
  for (const chunk of chunksOf(text)) yield { event: 'token', data: { text: chunk } };
  yield { event: 'done', data: done };
}

import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import { DraftFitter, DraftPreferences, fitDraftToPreferences } from '../llm/domain/draft-preferences';
import { composeGrounded } from '../llm/domain/grounded-composer';
import { detectLanguage } from '../llm/domain/language';
import { LlmService } from '../llm/llm.service';
import type { ChatResult, ChatStreamEvent } from '../llm/ports/chat-model.port';
import { AgentPreferencesService } from './agent-preferences.service';
import { draftPreferencesOf } from './domain/agent-preferences';
import { TicketsService } from '../tickets/tickets.service';
import { assistKeys } from './domain/assist-keys';
import { remainingMs } from '../../common/async/deadline';
import { groundSources, SourceRef } from './domain/grounding';
import { identifierSet } from './domain/identifier-redactor';
import { draftedAloneNotice } from './domain/nothing-found';
import { SseEvent } from './domain/sse';
import {
  conversationText,
  similarityQuery,
  TicketLike,
  ticketForReply,
  ticketLikeOf,
} from './domain/ticket-context';
import {
  Degradation,
  DegradedPart,
  degradedParts,
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
  /** Whose preferences (tone, signature, word limit, language) the draft follows. */
  agentId?: string;
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
  degraded?: DegradedPart[];
}

interface PreparedReply {
  spec: GenerationSpec;
  retrievalPartial: boolean;
  /** The agent's preferences could not be read: the draft was written without them. */
  preferencesUnavailable: boolean;
  /** The session store did not answer: the draft went on without checking the session. */
  sessionUnavailable: boolean;
  /** The database did not answer: the draft is for the ticket's last copy (TicketsService.lastCopy). */
  ticketUnavailable: boolean;
  grounding: Pick<ReplyDraft, 'grounded' | 'notice'>;
}

/** Tickets whose agent replies are worth reusing. */
const RESOLVED = ['resolved', 'closed'];

/**
 * POST /reply: a draft grounded in the ticket and its conversation, the agent replies of similar resolved
 * tickets (their customers' identifiers replaced by placeholders) and related articles, written by the model
 * in the customer's language, or as the agent's preferences say. Drafts are cached per ticket version,
 * instructions, source set and preferences; never in the semantic layer (a draft is for one ticket).
 */
@Injectable()
export class ReplyService {
  constructor(
    private readonly sessions: SessionService,
    private readonly tickets: TicketsService,
    private readonly retrieval: RetrievalService,
    private readonly generation: GroundedGeneration,
    private readonly llm: LlmService,
    private readonly preferences: AgentPreferencesService,
    private readonly config: AppConfig,
  ) {}

  async draft(input: ReplyInput): Promise<ReplyDraft> {
    const started = performance.now();
    const prepared = await this.prepare(input, started);
    const outcome = await this.generation.generate(
      prepared.spec,
      remainingMs(started, this.config.assist.replyDeadlineMs, performance.now()),
    );
    const reason = outcome.degraded ?? degradationOf(prepared);
    return {
      draft: outcome.value.text,
      sources: outcome.value.sources,
      ...prepared.grounding,
      cached: outcome.cached,
      partial: outcome.partial || degradationOf(prepared) !== undefined,
      ...degradedParts({
        reason,
        sessionUnavailable: prepared.sessionUnavailable,
        ticketUnavailable: prepared.ticketUnavailable,
      }),
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
      degraded: degradationOf(prepared),
      sessionUnavailable: prepared.sessionUnavailable,
      ticketUnavailable: prepared.ticketUnavailable,
      done: (value, cached) => ({ draft: value.text, sources: value.sources, ...prepared.grounding, cached }),
    });
    return { cached: opened.cached, events };
  }

  /** The stored ticket; when the database cannot be reached, its last copy (`stale`), or the database error. */
  private async ticketOrCopy(
    companyId: string,
    ticketId: string,
  ): Promise<{ ticket: TicketLike | null; stale: boolean }> {
    const found = await this.tickets.findOrLastCopy(companyId, ticketId);
    return found.copy
      ? { ticket: ticketLikeOf(found.copy), stale: true }
      : { ticket: found.row, stale: false };
  }

  private async prepare(input: ReplyInput, started: number): Promise<PreparedReply> {
    const { companyId, ticketId, instructions } = input;
    const [{ ticket, stale }, session, agent] = await Promise.all([
      this.ticketOrCopy(companyId, ticketId),
      input.sessionId ? this.sessions.require(companyId, input.sessionId) : undefined,
      this.preferences.forDraft(companyId, input.agentId),
    ]);
    const preferences = draftPreferencesOf(agent.preferences);
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
    // Other customers' identifiers never reach the prompt or the draft; this customer's own stay.
    const { sources, refs } = groundSources({ docs, keep: identifierSet(conversationText(ticket)) });
    const forReply = ticketForReply(ticket);
    const request = { companyId, ticket: forReply, sources, instructions, preferences };
    const keyOf = (withInstructions: string | undefined) =>
      assistKeys.reply({
        companyId,
        ticketId,
        ticket: forReply,
        instructions: withInstructions,
        sources,
        preferences: preferences ?? null,
        promptVersion: this.llm.promptVersion('reply'),
      });
    const spec: GenerationSpec = {
      name: `reply ${companyId}/${ticketId}`,
      key: keyOf(instructions),
      // An instructions variant rewrites the cached draft of the same ticket text, sources and preferences
      // (its key is this one without the instructions) instead of sending every source's text again. The
      // local model composes from the sources anyway: nothing to save there.
      derivedFrom: instructions && this.config.llm.provider === 'openai' ? keyOf(undefined) : undefined,
      // A draft written without the agent's (unreadable) preferences is not what the key promises.
      mode: agent.unavailable ? 'no-store' : input.cacheMode,
      sources: refs,
      complete: async (signal, draft) =>
        fitted(await this.llm.draftReply({ ...request, draft, signal }), preferences),
      stream: (signal, draft) =>
        fittedStream(this.llm.streamReply({ ...request, draft, signal }), preferences),
      composeLocally: () =>
        composeGrounded({
          purpose: 'reply',
          language: preferences?.language ?? detectLanguage(`${forReply.subject}\n${forReply.body}`),
          subject: forReply.subject,
          body: forReply.body,
          sources,
          preferences,
        }),
    };
    return {
      spec,
      retrievalPartial: similar.partial || articles.partial,
      preferencesUnavailable: agent.unavailable,
      sessionUnavailable: session?.unavailable ?? false,
      ticketUnavailable: stale,
      grounding:
        docs.length > 0
          ? { grounded: true }
          : {
              grounded: false,
              notice: draftedAloneNotice(detectLanguage(`${forReply.subject}\n${forReply.body}`)),
            },
    };
  }
}

function degradationOf(prepared: PreparedReply): Degradation | undefined {
  if (prepared.retrievalPartial) return 'retrieval_timeout';
  return prepared.preferencesUnavailable ? 'preferences_unavailable' : undefined;
}

/** The model's draft kept to the agent's word limit and signature, whatever the model wrote. */
function fitted(result: ChatResult, preferences: DraftPreferences | undefined): ChatResult {
  return { ...result, text: fitDraftToPreferences(result.text, preferences) };
}

/** `fitted` for a streamed draft: tokens past the word limit are held back, the signature ends the stream. */
async function* fittedStream(
  events: AsyncIterable<ChatStreamEvent>,
  preferences: DraftPreferences | undefined,
): AsyncGenerator<ChatStreamEvent> {
  if (!preferences) return yield* events;
  const fitter = new DraftFitter(preferences);
  for await (const event of events) {
    if (event.type === 'token') {
      const text = fitter.push(event.text);
      if (text) yield { type: 'token', text };
      continue;
    }
    const { tail, text } = fitter.finish();
    if (tail) yield { type: 'token', text: tail };
    yield { type: 'done', result: { ...event.result, text } };
  }
}

import { Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import type { TicketEntity } from '../../database/entities';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import { QuestionEmbedding, SemanticAnswerCache, SemanticScope } from './semantic/semantic-answer-cache.port';
import { composeGrounded } from '../llm/domain/grounded-composer';
import { detectLanguage } from '../llm/domain/language';
import { LlmService } from '../llm/llm.service';
import type { ConversationTurn } from '../llm/ports/chat-model.port';
import type { SearchDataType } from '../search/domain/search-document';
import { assistKeys } from './domain/assist-keys';
import { contextOf, groundSources } from './domain/grounding';
import { identifierSet } from './domain/identifier-redactor';
import { reusableAnswer } from './domain/semantic-reuse';
import { historyNeededFor, ticketNeededFor } from './domain/question-context';
import { conversationText, ticketContextText } from './domain/ticket-context';
import { Generated, GenerationSpec } from './grounded-generation.service';
import { RetrievalService } from './retrieval.service';

/** Earlier turns a follow-up gets (the most recent ones). */
const FOLLOW_UP_TURNS = 3;

export interface AnswerPlan {
  spec: GenerationSpec;
  /** Retrieval missed its deadline: the answer is grounded on fewer sources. */
  retrievalPartial: boolean;
  /** At least one retrieved source passed the relevance floor. */
  grounded: boolean;
  /** The session's ticket is in the prompt: the model can answer from it even with no source. */
  ticketInPrompt: boolean;
}

/**
 * Plans the answer to a question: retrieval (vector cache), numbered grounding with the ticket as context,
 * the content-addressed LLM key and the semantic layer. Session-free, so the cache warmer (worker role)
 * answers popular questions exactly as /query does.
 */
@Injectable()
export class AnswerService {
  constructor(
    private readonly retrieval: RetrievalService,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
    @Optional() private readonly semantic?: SemanticAnswerCache,
  ) {}

  async plan(input: {
    companyId: string;
    question: string;
    dataTypes?: SearchDataType[];
    limit?: number;
    ticket: TicketEntity | null;
    /** The session's earlier turns, oldest first, citations removed (none for a question asked alone). */
    turns: ConversationTurn[];
    cacheMode: CacheMode;
    retrievalDeadlineMs: number;
  }): Promise<AnswerPlan> {
    const { companyId, question, ticket } = input;
    // A follow-up is retrieved, prompted and cached with the turns it leans on; any other question alone.
    const turns = historyNeededFor({ question, turns: input.turns.length })
      ? input.turns.slice(-FOLLOW_UP_TURNS)
      : undefined;
    const searchText = turns ? [turns.at(-1)!.question, question].join('\n') : question;
    const dataTypes = input.dataTypes ?? ['ticket', 'article'];
    const limit = input.limit ?? this.config.assist.queryDefaultLimit;
    // One embedding of the question per request, shared by retrieval (on a miss) and the semantic layer.
    const embedding = this.questionEmbedding(companyId, searchText);
    // One retrieval per question, whatever ticket is open: one more result than needed, and the session's
    // ticket (context, not an answer to it) dropped afterwards. The same question then shares one cached
    // retrieval, and one grounding, across all tickets' sessions.
    const retrieved = await this.retrieval.retrieve({
      companyId,
      query: searchText,
      dataTypes,
      limit: limit + 1,
      embedQuery: async () => (await embedding()).vector,
      deadlineMs: this.retrieval.deadlineWithin(input.retrievalDeadlineMs),
      noCache: input.cacheMode === 'no-cache',
      grounding: true,
    });
    const isOpenTicket = (d: { type: string; id: string }) =>
      !!ticket && d.type === 'ticket' && d.id === ticket.ticketId;
    const dropped = retrieved.docs.slice(0, limit).some(isOpenTicket);
    const docs = retrieved.docs.filter((d) => !isOpenTicket(d)).slice(0, limit);
    const contextText = ticket ? ticketContextText(ticket) : undefined;
    // Other customers' identifiers never reach the prompt; the open ticket's own stay.
    const { sources, refs } = groundSources({
      docs,
      keep: ticket ? identifierSet(conversationText(ticket)) : undefined,
    });
    // The ticket goes into the prompt only when the question depends on it (see ticketNeededFor).
    const need =
      ticket && contextText !== undefined
        ? ticketNeededFor({
            question,
            ticketText: `${ticket.subject}\n${contextText}`,
            sourceTexts: sources.map((g) => `${g.title ?? ''}\n${g.text}`),
          })
        : null;
    const context =
      ticket && need && contextText !== undefined
        ? contextOf({ id: ticket.ticketId, subject: ticket.subject, text: contextText })
        : undefined;
    const promptVersion = this.llm.promptVersion('answer');
    const scope: SemanticScope = {
      companyId,
      promptVersion,
      model: this.config.llm.provider === 'openai' ? this.config.llm.chatModel : 'local',
      dataTypes: [...dataTypes].sort(),
      // The scope says what the sources depend on: the ticket in the prompt, or the open ticket left out of
      // the top results (then the sources differ from the company-wide ones for the same question).
      filters:
        context && ticket
          ? { ticket_id: ticket.ticketId, ticket_hash: ticket.contentHash }
          : dropped && ticket
            ? { excluded: ticket.ticketId }
            : null,
    };
    const semantic = this.semantic;
    const call = { companyId, question, sources, context, history: turns };
    const spec: GenerationSpec = {
      name: `answer ${companyId}`,
      key: assistKeys.answer({ companyId, question, sources, context, history: turns, promptVersion }),
      mode: input.cacheMode,
      sources: refs,
      // A question that needs the ticket adapts the cached company-wide answer to the same question from the
      // same sources (its key is this one without the ticket) instead of sending the sources' texts again.
      // Not a follow-up: its turns are not in the company-wide answer. The local model composes anyway.
      derivedFrom:
        context && !turns && this.config.llm.provider === 'openai'
          ? assistKeys.answer({ companyId, question, sources, promptVersion })
          : undefined,
      // The company-wide answer itself, as a question asked alone makes it, once two tickets have wanted it.
      baseOnDemand: (signal) => this.llm.answer({ companyId, question, sources, signal }),
      complete: (signal, generalAnswer) => this.llm.answer({ ...call, generalAnswer, signal }),
      stream: (signal, generalAnswer) => this.llm.streamAnswer({ ...call, generalAnswer, signal }),
      composeLocally: () =>
        composeGrounded({
          purpose: 'answer',
          language: detectLanguage(question),
          question,
          earlierQuestions: turns?.map((turn) => turn.question),
          sources,
        }),
      // A follow-up's answer belongs to its conversation: never served to a similar question elsewhere.
      semantic:
        semantic && !turns
          ? {
              lookup: async () => {
                const found = (await semantic.lookup<Generated>({ scope, question, embedding }))?.value;
                // Only sources this question retrieved itself (`docs` never holds the open ticket).
                return found && reusableAnswer({ sources: found.sources, grounded: docs })
                  ? found
                  : undefined;
              },
              store: (value) => semantic.store({ scope, question, value, embedding }),
            }
          : undefined,
    };
    return {
      spec,
      retrievalPartial: retrieved.partial,
      grounded: docs.length > 0,
      ticketInPrompt: context !== undefined,
    };
  }

  /** A lazy, memoized embedding of the question; a failed call is not memoized (the next user retries). */
  private questionEmbedding(companyId: string, question: string): QuestionEmbedding {
    let pending: ReturnType<QuestionEmbedding> | undefined;
    return () => {
      pending ??= this.llm
        .embed({ companyId, texts: [question], priority: 'interactive' })
        .then((r) => ({ vector: r.vectors[0], fallback: r.source === 'local-fallback' }));
      pending.catch(() => (pending = undefined));
      return pending;
    };
  }
}

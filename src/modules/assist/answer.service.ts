import { Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import type { TicketEntity } from '../../database/entities';
import type { CacheMode } from '../cache/ports/layered-cache.port';
import { SemanticAnswerCache, SemanticScope } from '../cache/semantic/semantic-answer-cache.port';
import { composeGrounded } from '../llm/domain/grounded-composer';
import { detectLanguage } from '../llm/domain/language';
import { LlmService } from '../llm/llm.service';
import type { SearchDataType } from '../search/domain/search-document';
import { assistKeys } from './domain/assist-keys';
import { numberSources } from './domain/grounding';
import { ticketContextText } from './domain/ticket-context';
import { Generated, GenerationSpec } from './grounded-generation.service';
import { RetrievalService } from './retrieval.service';

export interface AnswerPlan {
  spec: GenerationSpec;
  /** Retrieval missed its deadline: the answer is grounded on fewer sources. */
  retrievalPartial: boolean;
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
    cacheMode: CacheMode;
    retrievalDeadlineMs: number;
  }): Promise<AnswerPlan> {
    const { companyId, question, ticket } = input;
    const dataTypes = input.dataTypes ?? ['ticket', 'article'];
    const retrieved = await this.retrieval.retrieve({
      companyId,
      query: question,
      dataTypes,
      limit: input.limit ?? this.config.assist.queryDefaultLimit,
      // The session's ticket is the context, not one of the answers to it.
      filter: ticket ? { excludeIds: [ticket.ticketId] } : undefined,
      deadlineMs: this.retrieval.deadlineWithin(input.retrievalDeadlineMs),
      noCache: input.cacheMode === 'no-cache',
    });
    const context = ticket
      ? { id: ticket.ticketId, subject: ticket.subject, text: ticketContextText(ticket) }
      : undefined;
    const { grounding, refs } = numberSources({ docs: retrieved.docs, context });
    const promptVersion = this.llm.promptVersion('answer');
    const scope: SemanticScope = {
      companyId,
      promptVersion,
      model: this.config.llm.provider === 'openai' ? this.config.llm.chatModel : 'local',
      dataTypes: [...dataTypes].sort(),
      filters: ticket ? { ticket_id: ticket.ticketId, ticket_hash: ticket.contentHash } : null,
    };
    const semantic = this.semantic;
    const spec: GenerationSpec = {
      name: `answer ${companyId}`,
      key: assistKeys.answer({ companyId, question, grounding, promptVersion }),
      mode: input.cacheMode,
      sources: refs,
      complete: (signal) => this.llm.answer({ companyId, question, sources: grounding, signal }),
      stream: (signal) => this.llm.streamAnswer({ companyId, question, sources: grounding, signal }),
      composeLocally: () =>
        composeGrounded({
          purpose: 'answer',
          language: detectLanguage(question),
          question,
          sources: grounding,
        }),
      semantic: semantic
        ? {
            lookup: async () => (await semantic.lookup<Generated>({ scope, question }))?.value,
            store: (value) => semantic.store({ scope, question, value }),
          }
        : undefined,
    };
    return { spec, retrievalPartial: retrieved.partial };
  }
}

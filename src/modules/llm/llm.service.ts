import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { LOCAL_PROMPT_VERSION } from './adapters/local.chat-model';
import { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from './ports/chat-model.port';
import { Embedder, EmbedResult } from './ports/embedder.port';
import { LlmPriority, LlmPurpose } from './ports/llm-call';
import { templateVersion } from './prompts';

interface CallOptions {
  companyId: string;
  priority?: LlmPriority;
  signal?: AbortSignal;
}

/** What a purpose's call takes besides the call options. */
type Input<P extends ChatRequest['purpose']> = Omit<
  Extract<ChatRequest, { purpose: P }>,
  'purpose' | 'priority' | 'companyId' | 'signal'
>;

/**
 * The facade Ingest, Search and Assist call. Resilience (lanes, retry, breaker, fallback, single-flight) and
 * usage accounting live in the bound ChatModel and Embedder; this class names the operations and defaults
 * their priority: summaries and embeddings run in the background lane unless told otherwise, answers and
 * drafts are interactive.
 */
@Injectable()
export class LlmService {
  constructor(
    private readonly chat: ChatModel,
    private readonly embedder: Embedder,
    private readonly config: AppConfig,
  ) {}

  summarize(input: CallOptions & { text: string }): Promise<ChatResult> {
    return this.chat.complete({ ...input, purpose: 'summary', priority: input.priority ?? 'background' });
  }

  answer(input: CallOptions & Input<'answer'>): Promise<ChatResult> {
    return this.chat.complete({ ...input, purpose: 'answer', priority: input.priority ?? 'interactive' });
  }

  draftReply(input: CallOptions & Input<'reply'>): Promise<ChatResult> {
    return this.chat.complete({ ...input, purpose: 'reply', priority: input.priority ?? 'interactive' });
  }

  streamAnswer(input: CallOptions & Input<'answer'>): AsyncIterable<ChatStreamEvent> {
    return this.chat.stream({ ...input, purpose: 'answer', priority: input.priority ?? 'interactive' });
  }

  streamReply(input: CallOptions & Input<'reply'>): AsyncIterable<ChatStreamEvent> {
    return this.chat.stream({ ...input, purpose: 'reply', priority: input.priority ?? 'interactive' });
  }

  embed(input: CallOptions & { texts: string[] }): Promise<EmbedResult> {
    return this.embedder.embed({ ...input, priority: input.priority ?? 'background' });
  }

  /**
   * Goes into every cache key built on a result of this purpose: the template version and the model, so a
   * changed prompt or a switched provider never serves an old entry. Local fallbacks are not cached by
   * callers (`source: 'local-fallback'`), so they need no version of their own.
   */
  promptVersion(purpose: LlmPurpose): string {
    if (purpose === 'embed') return `embed@${this.embedder.model}:${this.embedder.dimension}`;
    const version =
      this.config.llm.provider === 'openai' ? templateVersion(purpose) : LOCAL_PROMPT_VERSION[purpose];
    return `${version}@${this.chat.model}`;
  }

  get embeddingModel(): { model: string; dimension: number } {
    return { model: this.embedder.model, dimension: this.embedder.dimension };
  }
}

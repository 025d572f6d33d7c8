import OpenAI from 'openai';
import { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../ports/chat-model.port';
import { renderPrompt, templateVersion } from '../prompts';
import { fitToBudget } from '../prompts/fit-budget';
import { TokenCounter } from '../token-counter';
import { sdkCallSignal } from './sdk-call-signal';
import { inputText, outputLanguage } from './local.chat-model';
import { toUpstreamError } from './openai.errors';

export interface OpenAiChatOptions {
  model: string;
  timeoutMs: number;
  streamTimeoutMs: number;
  maxInputTokens: number;
  maxOutputTokens: number;
  tokens: TokenCounter;
  /** Names this upstream in errors and breaker state. */
  upstream: string;
}

/** ChatModel over any OpenAI-compatible chat completions endpoint. One attempt per call: retries live above. */
export class OpenAiChatModel extends ChatModel {
  readonly model: string;

  constructor(
    private readonly client: OpenAI,
    private readonly options: OpenAiChatOptions,
  ) {
    super();
    this.model = options.model;
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const { messages, language } = this.prepare(request);
    const startedAt = performance.now();
    const call = sdkCallSignal(request.signal);
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.model,
          messages,
          max_completion_tokens: this.options.maxOutputTokens,
          temperature: 0.2,
        },
        { signal: call.signal, timeout: this.options.timeoutMs, maxRetries: 0 },
      );
      return this.result(request, {
        text: completion.choices[0]?.message?.content ?? '',
        model: completion.model || this.model,
        usage: completion.usage,
        language,
      });
    } catch (error) {
      throw toUpstreamError(this.options.upstream, error, { startedAt, timeoutMs: this.options.timeoutMs });
    } finally {
      call.release();
    }
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    const { messages, language } = this.prepare(request);
    let text = '';
    let model = this.model;
    let usage: OpenAI.CompletionUsage | undefined;
    const startedAt = performance.now();
    const call = sdkCallSignal(request.signal);
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages,
          max_completion_tokens: this.options.maxOutputTokens,
          temperature: 0.2,
          stream: true,
          // The last chunk then carries the token usage, which streaming responses otherwise omit.
          stream_options: { include_usage: true },
        },
        { signal: call.signal, timeout: this.options.streamTimeoutMs, maxRetries: 0 },
      );
      for await (const chunk of stream) {
        if (chunk.model) model = chunk.model;
        if (chunk.usage) usage = chunk.usage;
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) {
          text += delta;
          yield { type: 'token', text: delta };
        }
      }
    } catch (error) {
      throw toUpstreamError(this.options.upstream, error, {
        startedAt,
        timeoutMs: this.options.streamTimeoutMs,
      });
    } finally {
      call.release();
    }
    yield { type: 'done', result: this.result(request, { text, model, usage, language }) };
  }

  private prepare(request: ChatRequest) {
    const fitted = fitToBudget(request, {
      maxTokens: this.options.maxInputTokens,
      model: this.model,
      tokens: this.options.tokens,
    });
    // The ticket or question (or the agent's preference) decides the language, not the sources.
    const language = outputLanguage(fitted);
    return { messages: renderPrompt(fitted, language), language };
  }

  private result(
    request: ChatRequest,
    raw: { text: string; model: string; usage?: OpenAI.CompletionUsage | null; language: 'en' | 'ko' },
  ): ChatResult {
    return {
      text: raw.text,
      model: raw.model,
      source: 'openai',
      // Servers that omit usage get an estimate so the ledger never silently records zero.
      usage: {
        promptTokens: raw.usage?.prompt_tokens ?? this.options.tokens.count(inputText(request), this.model),
        completionTokens: raw.usage?.completion_tokens ?? this.options.tokens.count(raw.text, this.model),
        cachedPromptTokens: raw.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      },
      promptVersion: templateVersion(request.purpose),
      language: raw.language,
    };
  }
}

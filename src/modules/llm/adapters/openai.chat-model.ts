import OpenAI from 'openai';
import type { MaxTokensField } from '../../../config/llm.config';
import { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../ports/chat-model.port';
import { renderPrompt, templateVersion } from '../prompts';
import type { PromptMessage } from '../prompts/prompt-template';
import { fitToBudget } from '../prompts/fit-budget';
import { TokenCounter } from '../token-counter';
import { sdkCallSignal } from './sdk-call-signal';
import { outputLanguage } from './local.chat-model';
import { toUpstreamError } from './openai.errors';

export interface OpenAiChatOptions {
  model: string;
  timeoutMs: number;
  streamTimeoutMs: number;
  maxInputTokens: number;
  maxOutputTokens: number;
  /** Sent only when set. */
  temperature?: number;
  maxTokensField: MaxTokensField;
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
        { ...this.generation(), messages },
        { signal: call.signal, timeout: this.options.timeoutMs, maxRetries: 0 },
      );
      return this.result({
        messages,
        text: completion.choices[0]?.message?.content ?? '',
        model: completion.model || this.model,
        usage: completion.usage,
        language,
        purpose: request.purpose,
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
          ...this.generation(),
          messages,
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
    yield {
      type: 'done',
      result: this.result({ messages, text, model, usage, language, purpose: request.purpose }),
    };
  }

  /**
   * Model, output cap and sampling. The cap goes in the field(s) the server reads: OpenAI's reasoning models
   * reject `max_tokens`, Ollama's OpenAI layer reads only `max_tokens`. Temperature is left to the server's
   * default unless configured (reasoning models reject any other value).
   */
  private generation(): {
    model: string;
    max_completion_tokens?: number;
    max_tokens?: number;
    temperature?: number;
  } {
    const { maxOutputTokens, maxTokensField, temperature } = this.options;
    return {
      model: this.model,
      ...(maxTokensField !== 'max_tokens' ? { max_completion_tokens: maxOutputTokens } : {}),
      ...(maxTokensField !== 'max_completion_tokens' ? { max_tokens: maxOutputTokens } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    };
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

  private result(raw: {
    messages: PromptMessage[];
    text: string;
    model: string;
    usage?: OpenAI.CompletionUsage | null;
    language: 'en' | 'ko';
    purpose: ChatRequest['purpose'];
  }): ChatResult {
    const { tokens } = this.options;
    // Servers that omit usage (or report zero for a prompt that was not empty) get an estimate of what was
    // actually sent, the whole rendered prompt, so the ledger never silently records zero.
    const reported = raw.usage?.prompt_tokens ? raw.usage : undefined;
    return {
      text: raw.text,
      model: raw.model,
      source: 'openai',
      usage: {
        promptTokens: reported?.prompt_tokens ?? tokens.count(promptText(raw.messages), this.model),
        completionTokens: reported?.completion_tokens ?? tokens.count(raw.text, this.model),
        cachedPromptTokens: reported?.prompt_tokens_details?.cached_tokens ?? 0,
      },
      promptVersion: templateVersion(raw.purpose),
      language: raw.language,
    };
  }
}

function promptText(messages: PromptMessage[]): string {
  return messages.map((message) => message.content).join('\n');
}

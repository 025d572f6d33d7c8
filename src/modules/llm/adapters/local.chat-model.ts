import { summarizeExtractive } from '../domain/extractive-summarizer';
import { composeGrounded, streamChunks } from '../domain/grounded-composer';
import { detectLanguage, TextLanguage } from '../domain/language';
import { ChatModel, ChatRequest, ChatResult, ChatStreamEvent } from '../ports/chat-model.port';
import { TokenCounter } from '../token-counter';
import { LocalComputePool } from './local-compute/local-compute.pool';

export const LOCAL_PROMPT_VERSION = {
  summary: 'local-extractive-v1',
  answer: 'local-grounded-v2',
  reply: 'local-grounded-v2',
};

/**
 * The embedded chat model: an extractive summarizer for summaries and a grounded composer for answers
 * and reply drafts. No network, deterministic, and the fallback while the remote model is unavailable.
 */
export class LocalChatModel extends ChatModel {
  readonly model = 'local';

  constructor(
    private readonly options: {
      summaryMaxChars: number;
      tokens: TokenCounter;
      /** Background summaries are computed on a worker thread when it can; the same function. */
      pool?: LocalComputePool;
    },
  ) {
    super();
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    // Bulk summaries (indexing) go to a thread; an interactive one (/init's fallback) is answered here.
    if (request.purpose === 'summary' && request.priority === 'background' && this.options.pool) {
      const summary = await this.options.pool.summarize(request.text, this.options.summaryMaxChars);
      if (summary !== undefined) return this.result(request, detectLanguage(request.text), summary);
    }
    return this.run(request);
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    const result = this.run(request);
    for (const chunk of streamChunks(result.text)) {
      if (request.signal?.aborted) throw request.signal.reason;
      yield { type: 'token', text: chunk };
      // Yield to the event loop between chunks so a consumer can flush each one (SSE) as it comes.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    yield { type: 'done', result };
  }

  private run(request: ChatRequest): ChatResult {
    const language = outputLanguage(request);
    return this.result(request, language, this.generate(request, language));
  }

  private result(request: ChatRequest, language: TextLanguage, text: string): ChatResult {
    const input = inputText(request);
    return {
      text,
      model: request.purpose === 'summary' ? 'local-extractive-summarizer' : 'local-grounded-composer',
      source: 'local',
      usage: {
        promptTokens: this.options.tokens.estimate(input),
        completionTokens: this.options.tokens.estimate(text),
      },
      promptVersion: LOCAL_PROMPT_VERSION[request.purpose],
      language,
    };
  }

  private generate(request: ChatRequest, language: TextLanguage): string {
    switch (request.purpose) {
      case 'summary':
        return summarizeExtractive(request.text, { maxChars: this.options.summaryMaxChars }).summary;
      case 'answer':
        return composeGrounded({
          purpose: 'answer',
          language,
          question: request.question,
          earlierQuestions: request.history?.map((turn) => turn.question),
          sources: request.sources,
        });
      case 'reply':
        return composeGrounded({
          purpose: 'reply',
          language,
          subject: request.ticket.subject,
          body: request.ticket.body,
          customerName: request.ticket.customerName,
          // Free-form agent instructions need a language model; the local composer only grounds on sources.
          sources: request.sources,
          preferences: request.preferences,
        });
    }
  }
}

/** The text whose language the output must follow: the ticket or the question, not the sources. */
export function inputText(request: ChatRequest): string {
  switch (request.purpose) {
    case 'summary':
      return request.text;
    case 'answer':
      return request.question;
    case 'reply':
      return `${request.ticket.subject}\n${request.ticket.body}`;
  }
}

/** The language to write in: the agent's chosen one for a draft, else that of the ticket or question. */
export function outputLanguage(request: ChatRequest): TextLanguage {
  return (request.purpose === 'reply' && request.preferences?.language) || detectLanguage(inputText(request));
}

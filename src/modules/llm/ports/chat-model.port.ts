import type { DraftPreferences } from '../domain/draft-preferences';
import type { GroundingContext, NumberedSources } from '../domain/numbered-sources';
import { LlmPriority } from './llm-call';

export type { GroundingContext, GroundingSource, NumberedSources } from '../domain/numbered-sources';
export type { DraftPreferences } from '../domain/draft-preferences';

/** An earlier question of the session and its answer (citations removed), for a follow-up. */
export interface ConversationTurn {
  question: string;
  answer: string;
}

export interface TicketForReply {
  subject: string;
  /** The customer's latest message or the description. */
  body: string;
  customerName?: string;
}

interface ChatCallBase {
  companyId: string;
  priority: LlmPriority;
  signal?: AbortSignal;
}

/** One call per purpose; adapters render the prompt (remote) or run the algorithm (local) from the same input. */
export type ChatRequest = ChatCallBase &
  (
    | { purpose: 'summary'; text: string }
    | {
        purpose: 'answer';
        question: string;
        sources: NumberedSources;
        /** The open ticket, when the question depends on it. */
        context?: GroundingContext;
        /** The session's previous turns, oldest first, when the question follows up on them. */
        history?: ConversationTurn[];
        /**
         * The company-wide answer to the same question from the same numbered sources: the model adapts it to
         * `context` instead of reading the sources' texts again (their numbered headers are still shown).
         */
        generalAnswer?: string;
      }
    | {
        purpose: 'reply';
        ticket: TicketForReply;
        sources: NumberedSources;
        instructions?: string;
        preferences?: DraftPreferences;
        /**
         * The draft of the same ticket from the same numbered sources and preferences, without instructions:
         * the model rewrites it under `instructions` instead of reading the sources' texts again.
         */
        draft?: string;
      }
  );
export type ChatPurpose = ChatRequest['purpose'];

export interface ChatUsage {
  promptTokens: number;
  /** Of `promptTokens`, those the provider served from its prompt cache (billed at the cached-input price). */
  cachedPromptTokens?: number;
  completionTokens: number;
}

export interface ChatResult {
  text: string;
  model: string;
  /** The configured provider, or the local adapter standing in while the remote one is unavailable. */
  source: 'openai' | 'local' | 'local-fallback';
  usage: ChatUsage;
  /** Part of every cache key built on this result. */
  promptVersion: string;
  language: 'en' | 'ko';
}

export type ChatStreamEvent = { type: 'token'; text: string } | { type: 'done'; result: ChatResult };

/** Port: completes a prompt at once or token by token. */
export abstract class ChatModel {
  abstract readonly model: string;
  abstract complete(request: ChatRequest): Promise<ChatResult>;
  /** Emits `token` events as text arrives, then exactly one `done` with the full text and usage. */
  abstract stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
}

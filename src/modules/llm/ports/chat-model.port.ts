import { LlmPriority } from './llm-call';

/** A retrieved passage an answer or draft may be built from. */
export interface GroundingSource {
  /** `ticket:T-1` / `article:A-9`: how the caller identifies it in `sources`. */
  id: string;
  kind: 'ticket' | 'article';
  title?: string;
  /** For tickets: the agent's resolving reply; for articles: the matching passage. */
  text: string;
  score?: number;
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
    | { purpose: 'answer'; question: string; sources: GroundingSource[] }
    | { purpose: 'reply'; ticket: TicketForReply; sources: GroundingSource[]; instructions?: string }
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

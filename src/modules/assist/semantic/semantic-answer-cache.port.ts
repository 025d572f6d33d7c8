import type { CacheCredit } from '../../cache/ports/layered-cache.port';

/** What must match exactly, besides a close question, for a cached answer to be reused. */
export interface SemanticScope {
  companyId: string;
  promptVersion: string;
  model: string;
  dataTypes: string[];
  /** Canonical filters (or the session ticket id) the answer was grounded with; compared by canonical JSON. */
  filters: unknown;
}

/**
 * The question's embedding as the caller already has it (or will: retrieval embeds the same question), so a
 * request pays for one embedding call, not one per layer. `fallback` marks the local fallback embedder's vector, which
 * lives in another space than the configured model's and is never compared or stored.
 */
export type QuestionEmbedding = () => Promise<{ vector: Float32Array; fallback: boolean }>;

export interface SemanticMatch<T> {
  value: T;
  /** Cosine similarity of the two questions' embeddings. */
  similarity: number;
  /** The cached question that matched (for logs and the response's provenance). */
  question: string;
}

/**
 * The semantic layer, for /query answers only (never reply drafts): the nearest cached question of the same
 * company and scope is reused when its embedding cosine is at or above the configured threshold AND a guard
 * finds no difference in negation, numbers or named entities between the two questions. Entries live in
 * the LLM layer, so a company's LLM invalidation drops them too. Off switch in configuration: `lookup`
 * then always misses and `store` does nothing.
 */
export abstract class SemanticAnswerCache {
  abstract lookup<T>(input: {
    scope: SemanticScope;
    question: string;
    embedding?: QuestionEmbedding;
  }): Promise<SemanticMatch<T> | undefined>;
  abstract store<T>(input: {
    scope: SemanticScope;
    question: string;
    value: T;
    credit?: CacheCredit;
    embedding?: QuestionEmbedding;
  }): Promise<void>;
}

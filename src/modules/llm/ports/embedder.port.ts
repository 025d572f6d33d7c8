import { LlmPriority } from './llm-call';

export interface EmbedRequest {
  companyId: string;
  texts: string[];
  priority: LlmPriority;
  signal?: AbortSignal;
}

export interface EmbedResult {
  /** One L2-normalized vector per input text, in input order. */
  vectors: Float32Array[];
  model: string;
  /** Where the vectors came from: the configured provider, or the local fallback. */
  source: 'openai' | 'local' | 'local-fallback';
  usage: { promptTokens: number };
}

/** Port: turns texts into vectors of a fixed dimension. */
export abstract class Embedder {
  abstract readonly dimension: number;
  abstract readonly model: string;
  abstract embed(request: EmbedRequest): Promise<EmbedResult>;
}

import OpenAI from 'openai';
import { l2Normalize } from '../domain/hashing-embedding';
import { UpstreamError } from '../domain/upstream-error';
import { Embedder, EmbedRequest, EmbedResult } from '../ports/embedder.port';
import { toUpstreamError } from './openai.errors';
import { sdkCallSignal } from './sdk-call-signal';

export interface OpenAiEmbedderOptions {
  model: string;
  /** Requested size (`dimensions`); also the declared dimension. */
  dimension: number;
  sendDimensions: boolean;
  timeoutMs: number;
  upstream: string;
}

/**
 * Embedder over an OpenAI-compatible /embeddings endpoint: one request for all the texts it is given
 * (grouping into request-sized batches happens above). The SDK asks for base64 and decodes it.
 */
export class OpenAiEmbedder extends Embedder {
  readonly model: string;
  readonly dimension: number;

  constructor(
    private readonly client: OpenAI,
    private readonly options: OpenAiEmbedderOptions,
  ) {
    super();
    this.model = options.model;
    this.dimension = options.dimension;
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    let response: OpenAI.CreateEmbeddingResponse;
    const startedAt = performance.now();
    const call = sdkCallSignal(request.signal);
    try {
      response = await this.client.embeddings.create(
        {
          model: this.model,
          input: request.texts,
          ...(this.options.sendDimensions ? { dimensions: this.dimension } : {}),
        },
        { signal: call.signal, timeout: this.options.timeoutMs, maxRetries: 0 },
      );
    } catch (error) {
      throw toUpstreamError(this.options.upstream, error, { startedAt, timeoutMs: this.options.timeoutMs });
    } finally {
      call.release();
    }
    const ordered = [...response.data].sort((a, b) => a.index - b.index);
    const wrongSize = ordered.find((d) => d.embedding.length !== this.dimension);
    if (ordered.length !== request.texts.length || wrongSize) {
      // A wrong shape is a configuration problem (model or LLM_EMBEDDING_DIMENSION), not worth a retry.
      throw new UpstreamError(
        this.options.upstream,
        `${this.options.upstream}: expected ${request.texts.length} vectors of ${this.dimension}, got ${ordered.length} of ${wrongSize?.embedding.length ?? this.dimension}`,
        { retryable: false },
      );
    }
    return {
      // Normalized here so cosine = dot for every index, whatever the server returns.
      vectors: ordered.map((d) => l2Normalize(Float32Array.from(d.embedding))),
      model: this.model,
      source: 'openai',
      usage: { promptTokens: response.usage?.prompt_tokens ?? 0 },
    };
  }
}

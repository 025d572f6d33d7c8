import OpenAI from 'openai';
import { l2Normalize } from '../domain/hashing-embedding';
import { UpstreamError } from '../domain/upstream-error';
import { Embedder, EmbedRequest, EmbedResult } from '../ports/embedder.port';
import { TokenCounter } from '../token-counter';
import { toUpstreamError } from './openai.errors';
import { sdkCallSignal } from './sdk-call-signal';

export interface OpenAiEmbedderOptions {
  model: string;
  /** The size every vector must have. */
  dimension: number;
  /** Ask the server for `dimension` (`dimensions`): only models that can shorten their vectors accept it. */
  sendDimensions: boolean;
  /** base64 is decoded here; a float array in its place (a server that ignores the field) is taken as is. */
  encoding: 'base64' | 'float';
  timeoutMs: number;
  tokens: TokenCounter;
  upstream: string;
  /** Named in the error when the vectors have the wrong size. */
  dimensionVariable: string;
}

/**
 * Embedder over an OpenAI-compatible /embeddings endpoint: one request for all the texts it is given
 * (grouping into request-sized batches happens above). `encoding_format` is always sent: left out, the SDK
 * asks for base64 and decodes whatever comes back as base64, which turns a server's float array (older Ollama
 * and llama.cpp servers ignore the field) into a quarter as many garbage numbers.
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
          encoding_format: this.options.encoding,
          ...(this.options.sendDimensions ? { dimensions: this.dimension } : {}),
        },
        { signal: call.signal, timeout: this.options.timeoutMs, maxRetries: 0 },
      );
    } catch (error) {
      throw toUpstreamError(this.options.upstream, error, { startedAt, timeoutMs: this.options.timeoutMs });
    } finally {
      call.release();
    }
    const ordered = [...(response.data ?? [])]
      .sort((a, b) => a.index - b.index)
      .map((d) => decodeEmbedding(d.embedding as unknown));
    const wrongSize = ordered.find((vector) => vector.length !== this.dimension);
    if (ordered.length !== request.texts.length || wrongSize) {
      // A wrong shape is a configuration problem (model or dimension), not worth a retry.
      throw new UpstreamError(
        this.options.upstream,
        `${this.options.upstream}: expected ${request.texts.length} vectors of ${this.dimension}, got ${ordered.length} of ${wrongSize?.length ?? this.dimension}: set ${this.options.dimensionVariable} to the model's size`,
        { retryable: false },
      );
    }
    const reported = response.usage?.prompt_tokens;
    return {
      // Normalized here so cosine = dot for every index, whatever the server returns.
      vectors: ordered.map((vector) => l2Normalize(vector)),
      model: this.model,
      source: 'openai',
      // llama.cpp's server reports 0; others omit usage: both get an estimate.
      usage: {
        promptTokens: reported
          ? reported
          : request.texts.reduce((sum, text) => sum + this.options.tokens.count(text, this.model), 0),
      },
    };
  }
}

/** A base64 string of little-endian float32s, or the float array a server sent instead. */
export function decodeEmbedding(embedding: unknown): Float32Array {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const vector = new Float32Array(Math.floor(bytes.byteLength / 4));
    for (let i = 0; i < vector.length; i++) vector[i] = view.getFloat32(i * 4, true);
    return vector;
  }
  if (Array.isArray(embedding)) return Float32Array.from(embedding as number[]);
  if (embedding instanceof Float32Array) return embedding;
  return new Float32Array(0);
}

import { EventLoopSlice } from '../domain/event-loop-slice';
import { hashingEmbed } from '../domain/hashing-embedding';
import { Embedder, EmbedRequest, EmbedResult } from '../ports/embedder.port';
import { TokenCounter } from '../token-counter';
import { LocalComputePool } from './local-compute/local-compute.pool';

/** The embedded embedder: signed feature hashing of word and character n-grams (see hashingEmbed). */
export class HashingEmbedder extends Embedder {
  readonly model: string;

  constructor(
    readonly dimension: number,
    private readonly tokens?: TokenCounter,
    /** Computes background (bulk) calls on a worker thread when it can: the same function, the same vectors. */
    private readonly pool?: LocalComputePool,
  ) {
    super();
    // The dimension and version are in the name: vectors of different sizes or versions must never share an
    // index (a collection of another model's vectors is re-indexed: `POST /api/v1/admin/reindex`). v2 drops
    // request words and identifiers and adds character bigrams.
    this.model = `local-hash-v2-${dimension}`;
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    // Bulk work (indexing) goes to a thread; an interactive query's few texts cost less than the hand-off.
    const vectors =
      (request.priority === 'background'
        ? await this.pool?.embed(request.texts, this.dimension)
        : undefined) ?? (await this.embedHere(request.texts));
    const promptTokens = this.tokens
      ? request.texts.reduce((sum, t) => sum + this.tokens!.estimate(t), 0)
      : 0;
    return { vectors, model: this.model, source: 'local', usage: { promptTokens } };
  }

  private async embedHere(texts: string[]): Promise<Float32Array[]> {
    // A chunk of texts is CPU work: it is sliced so the process keeps answering requests meanwhile.
    const slice = new EventLoopSlice();
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      await slice.maybeYield();
      vectors.push(hashingEmbed(text, { dimension: this.dimension }));
    }
    return vectors;
  }
}

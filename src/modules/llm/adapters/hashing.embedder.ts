import { EventLoopSlice } from '../domain/event-loop-slice';
import { hashingEmbed } from '../domain/hashing-embedding';
import { Embedder, EmbedRequest, EmbedResult } from '../ports/embedder.port';
import { TokenCounter } from '../token-counter';

/** The embedded embedder: signed feature hashing of word and character n-grams (see hashingEmbed). */
export class HashingEmbedder extends Embedder {
  readonly model: string;

  constructor(
    readonly dimension: number,
    private readonly tokens?: TokenCounter,
  ) {
    super();
    // The dimension is in the name: vectors of different sizes (or versions) must never share an index.
    this.model = `local-hash-v1-${dimension}`;
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    // A chunk of texts is CPU work: it is sliced so the process keeps answering requests meanwhile.
    const slice = new EventLoopSlice();
    const vectors: Float32Array[] = [];
    for (const text of request.texts) {
      await slice.maybeYield();
      vectors.push(hashingEmbed(text, { dimension: this.dimension }));
    }
    const promptTokens = this.tokens
      ? request.texts.reduce((sum, t) => sum + this.tokens!.estimate(t), 0)
      : 0;
    return { vectors, model: this.model, source: 'local', usage: { promptTokens } };
  }
}

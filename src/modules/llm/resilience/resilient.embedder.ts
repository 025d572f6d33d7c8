import { Embedder, EmbedRequest, EmbedResult } from '../ports/embedder.port';
import { UsageLedger } from '../usage-ledger.service';
import { LaneScheduler } from './lane-scheduler';
import { flightKey, SingleFlight } from './single-flight';
import { UpstreamGuard } from './upstream-guard';
import { toAppError } from './upstream-errors';

export interface ResilientEmbedderDeps {
  /** The configured embedder: remote (with its guard) or the local hashing embedder. */
  embedder: Embedder;
  guard?: UpstreamGuard;
  lanes: LaneScheduler;
  ledger: UsageLedger;
  /** Inputs per upstream request. */
  batchInputs: number;
}

/**
 * The Embedder the rest of the app gets. Splits input into request-sized groups, shares identical
 * concurrent groups (single-flight), and runs each through the lanes, retry and breaker.
 *
 * No fallback on purpose: vectors from different embedders live in different spaces, so a local hash vector
 * must never stand in for a remote one in an index (it would be stored, or compared, as if it were comparable).
 * - background (ingest): waits for the breaker to close (bounded), then fails; the job retries the item later.
 * - interactive (search): fails at once with AppError 'dependency_unavailable', so search degrades to
 *   lexical-only ranking instead of mixing vector spaces.
 */
export class ResilientEmbedder extends Embedder {
  readonly model: string;
  readonly dimension: number;
  private readonly flights = new SingleFlight();

  constructor(private readonly deps: ResilientEmbedderDeps) {
    super();
    this.model = deps.embedder.model;
    this.dimension = deps.embedder.dimension;
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    const groups: string[][] = [];
    for (let i = 0; i < request.texts.length; i += this.deps.batchInputs) {
      groups.push(request.texts.slice(i, i + this.deps.batchInputs));
    }
    const results = await Promise.all(groups.map((texts) => this.embedGroup({ ...request, texts })));
    return {
      vectors: results.flatMap((r) => r.vectors),
      model: this.model,
      source: results[0]?.source ?? (this.deps.guard ? 'openai' : 'local'),
      usage: { promptTokens: results.reduce((sum, r) => sum + r.usage.promptTokens, 0) },
    };
  }

  private embedGroup(request: EmbedRequest): Promise<EmbedResult> {
    const { embedder, guard, lanes } = this.deps;
    const key = flightKey({
      companyId: request.companyId,
      model: this.model,
      promptVersion: `${this.dimension}`,
      input: request.texts,
    });
    return this.flights.run(key, async () => {
      try {
        const result = guard
          ? await lanes.run(request, () => guard.execute(() => embedder.embed(request), request))
          : await embedder.embed(request);
        this.deps.ledger.record({
          companyId: request.companyId,
          model: result.model,
          purpose: 'embed',
          source: result.source,
          embeddingTokens: result.usage.promptTokens,
        });
        return result;
      } catch (error) {
        throw toAppError(error, `embedding model ${this.model}`);
      }
    });
  }
}

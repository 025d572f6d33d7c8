import { LlmMetricsRecorder } from '../llm-metrics.recorder';
import { Embedder, EmbedRequest, EmbedResult } from '../ports/embedder.port';
import { UsageLedger } from '../usage-ledger.service';
import { LaneScheduler } from './lane-scheduler';
import { flightKey, SingleFlight } from '../../../common/async/single-flight';
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
  /** Absent: nothing is exported (the module used without metrics). */
  recorder?: LlmMetricsRecorder;
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
  private readonly recorder: LlmMetricsRecorder;

  constructor(private readonly deps: ResilientEmbedderDeps) {
    super();
    this.model = deps.embedder.model;
    this.dimension = deps.embedder.dimension;
    this.recorder = deps.recorder ?? new LlmMetricsRecorder();
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
    // One meter per upstream request (after single-flight): a request of 200 texts in 4 groups counts 4 calls.
    return this.flights.run(key, async () => {
      const meter = this.recorder.start({
        provider: guard ? 'openai' : 'local',
        model: this.model,
        companyId: request.companyId,
        signal: request.signal,
      });
      try {
        const attempt = () => meter.upstream(() => embedder.embed(request));
        const result = guard
          ? await lanes.run(request, () => guard.execute(attempt, request))
          : await attempt();
        const usage = this.deps.ledger.record({
          companyId: request.companyId,
          model: result.model,
          purpose: 'embed',
          source: result.source,
          embeddingTokens: result.usage.promptTokens,
        });
        meter.succeed(usage);
        return result;
      } catch (error) {
        meter.fail(error);
        throw toAppError(error, `embedding model ${this.model}`);
      }
    });
  }
}

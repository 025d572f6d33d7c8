import { BrokenCircuitError } from 'cockatiel';
import { AppError } from '../../common/errors/app-error';
import type { LlmCallStatus, MetricsService } from '../metrics/metrics.service';
import { UpstreamError } from './domain/upstream-error';
import type { UsageEvent } from './usage-ledger.service';

/** From config (which adapter served the call), never from a response: a fixed, tiny label set. */
export type LlmProvider = 'openai' | 'local';

export interface LlmCallLabels {
  provider: LlmProvider;
  /** The configured model name; servers answer with dated variants that would each be a new series. */
  model: string;
  companyId: string;
  signal?: AbortSignal;
}

/**
 * The one place the llm_* metrics are fed from: the resilient chat model and embedder start a meter per
 * upstream call (after single-flight, so joiners of one call are counted once) and finish it once, with the
 * usage event the ledger priced. Without a MetricsService (LLM module used on its own) it only measures.
 */
export class LlmMetricsRecorder {
  constructor(private readonly metrics?: MetricsService) {}

  start(call: LlmCallLabels): LlmCallMeter {
    return new LlmCallMeter(call, this.metrics);
  }
}

/**
 * Times one call. `total` is what the service spent on it (lane wait, retries, backoff, upstream); time a
 * stream spends suspended at `yield` belongs to its consumer and is left out, so overhead = total − upstream
 * is the service's own share.
 */
export class LlmCallMeter {
  private readonly startedAt = performance.now();
  private upstreamMs = 0;
  private consumerMs = 0;
  private ttftS: number | undefined;
  private finished = false;

  constructor(
    private readonly call: LlmCallLabels,
    private readonly metrics?: MetricsService,
  ) {}

  /** Runs one attempt against the model (remote request, or the local algorithm) and counts its time. */
  async upstream<T>(attempt: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await attempt();
    } finally {
      this.upstreamMs += performance.now() - started;
    }
  }

  /** Marks time given to the stream's consumer (between a `yield` and the next pull). */
  consumer(sinceMs: number): void {
    this.consumerMs += performance.now() - sinceMs;
  }

  firstToken(): void {
    this.ttftS ??= this.elapsedS();
  }

  succeed(usage: UsageEvent | undefined, status: 'success' | 'fallback' = 'success'): void {
    this.finish(status, usage);
  }

  fail(error: unknown): void {
    this.finish(llmCallStatus(error, this.call.signal), undefined);
  }

  get done(): boolean {
    return this.finished;
  }

  private finish(status: LlmCallStatus, usage: UsageEvent | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.metrics?.recordLlmCall({
      provider: this.call.provider,
      model: this.call.model,
      companyId: this.call.companyId,
      status,
      durationS: this.elapsedS(),
      upstreamS: this.upstreamMs / 1000,
      ttftS: this.ttftS,
      tokens: {
        prompt: usage ? usage.promptTokens - usage.cachedPromptTokens : undefined,
        cached_prompt: usage?.cachedPromptTokens,
        completion: usage?.completionTokens,
        embedding: usage?.embeddingTokens,
      },
      costUsd: usage?.costUsd,
    });
  }

  private elapsedS(): number {
    return Math.max(0, performance.now() - this.startedAt - this.consumerMs) / 1000;
  }
}

/** Outcome label of a failed call: what an operator acts on differently (back off, wait, fix config). */
export function llmCallStatus(error: unknown, signal?: AbortSignal): LlmCallStatus {
  // By name: abort errors (DOMException) are not always `instanceof Error` across realms.
  if (signal?.aborted || (error as { name?: unknown } | undefined)?.name === 'AbortError') return 'cancelled';
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof UpstreamError) {
    if (error.status === 429) return 'rate_limited';
    return error.timedOut ? 'timeout' : 'error';
  }
  // The module's AppErrors wrap the upstream failure they report.
  if (error instanceof AppError && error.details.cause !== undefined)
    return llmCallStatus(error.details.cause);
  return 'error';
}

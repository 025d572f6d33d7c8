import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  IPolicy,
  retry,
  RetryPolicy,
  wrap,
} from 'cockatiel';
import { AppError, ErrorCode } from '../../../common/errors/app-error';
import { UpstreamError } from '../domain/upstream-error';
import { LlmPriority } from '../ports/llm-call';
import { RetryAfterBackoff } from './retry-after.backoff';

export interface UpstreamGuardOptions {
  name: string;
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** How long a background call waits for an open breaker to close before it fails. */
  backgroundWaitMs: number;
}

export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated';
const BREAKER_STATE_NAMES = ['closed', 'open', 'half-open', 'isolated'] as const;

const isTransient = (error: unknown) => error instanceof UpstreamError && error.retryable;

/**
 * Retry (exponential backoff with jitter, Retry-After honoured) around a circuit breaker, for one upstream.
 * Only transient failures (429, 5xx, timeouts, connection errors) are retried and count towards opening the
 * breaker; a 4xx that cannot succeed fails at once. An open breaker stops the retries too.
 */
export class UpstreamGuard {
  readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryPolicy;
  private readonly policy: IPolicy;
  retries = 0;

  constructor(readonly options: UpstreamGuardOptions) {
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.retry = retry(handleWhen(isTransient), {
      maxAttempts: options.maxRetries,
      backoff: new RetryAfterBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs }),
    });
    this.retry.onRetry(() => this.retries++);
    this.policy = wrap(this.retry, this.breaker);
  }

  get state(): BreakerStateName {
    return BREAKER_STATE_NAMES[this.breaker.state as CircuitState];
  }

  /** Calls `listener` with the current state now and on every change (metrics). Returns the unsubscribe. */
  onStateChange(listener: (state: BreakerStateName) => void): () => void {
    listener(this.state);
    const subscription = this.breaker.onStateChange((state) => listener(BREAKER_STATE_NAMES[state]));
    return () => subscription.dispose();
  }

  /**
   * Interactive calls see an open breaker at once (as BrokenCircuitError) so the caller can fall back;
   * background calls wait for it to close, up to `backgroundWaitMs`, then fail with dependency_unavailable.
   */
  async execute<T>(
    call: () => Promise<T>,
    lane: { priority: LlmPriority; signal?: AbortSignal },
  ): Promise<T> {
    const deadline = Date.now() + this.options.backgroundWaitMs;
    for (;;) {
      try {
        // The caller's own signal goes to the SDK, not cockatiel's: without one, cockatiel hands out a shared
        // never-aborting signal that would collect an abort listener per request.
        return await this.policy.execute(() => call(), lane.signal);
      } catch (error) {
        // A failed half-open probe re-opens the breaker: for a background call that is still "open, keep waiting".
        const circuitOpen =
          error instanceof BrokenCircuitError ||
          (isTransient(error) && this.breaker.state === CircuitState.Open);
        if (!circuitOpen || lane.priority === 'interactive') throw error;
        const remaining = deadline - Date.now();
        if (remaining <= 0 || lane.signal?.aborted) {
          throw new AppError(
            ErrorCode.DependencyUnavailable,
            `${this.options.name} circuit stayed open for ${this.options.backgroundWaitMs} ms; background call gave up`,
            { cause: error, retryAfterSeconds: Math.ceil(this.options.halfOpenAfterMs / 1000) },
          );
        }
        await sleep(Math.min(remaining, Math.max(25, this.options.halfOpenAfterMs / 4)));
      }
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

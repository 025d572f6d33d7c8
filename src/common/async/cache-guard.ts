import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
} from 'cockatiel';
import { withinDeadline } from './deadline';

export class CacheTimeoutError extends Error {
  constructor(operation: string, ms: number) {
    super(`cache ${operation} took longer than ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

export type GuardState = 'closed' | 'half_open' | 'open';

/**
 * Every cache call on the request path runs through here: bounded by a short timeout, behind a circuit
 * breaker. A slow or dead store costs at most `threshold` timeouts before calls fail at once; after
 * `halfOpenAfterMs` one call probes, and a success closes the breaker, so caching resumes by itself.
 */
export class CacheGuard {
  readonly breaker: CircuitBreakerPolicy;

  constructor(
    private readonly options: {
      timeoutMs: number;
      threshold: number;
      halfOpenAfterMs: number;
      onStateChange?: (state: GuardState) => void;
    },
  ) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.threshold),
    });
    this.breaker.onStateChange((state) => options.onStateChange?.(toGuardState(state)));
  }

  get state(): GuardState {
    return toGuardState(this.breaker.state);
  }

  /** Runs `fn` within the timeout (`timeoutMs` overrides it); throws on failure, timeout or an open breaker. */
  run<T>(operation: string, fn: () => Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    return this.breaker.execute(() => withTimeout(fn(), timeoutMs, operation));
  }

  static isOpen(error: unknown): boolean {
    return error instanceof BrokenCircuitError;
  }
}

function toGuardState(state: CircuitState): GuardState {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half_open';
  return 'open';
}

/** The deadline race as a rejection: the store's error, or a CacheTimeoutError. */
async function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  const timed = await withinDeadline(promise, ms, { yieldToIo: true });
  if (timed.ok) return timed.value;
  throw timed.reason === 'error' ? timed.error : new CacheTimeoutError(operation, ms);
}

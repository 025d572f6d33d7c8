import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
} from 'cockatiel';

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

function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Deferred to the check phase: an answer that reached the socket in this loop turn (a busy event loop runs
    // due timers before reading sockets) still wins, so CPU saturation alone does not turn hits into misses.
    timer = setTimeout(() => setImmediate(() => reject(new CacheTimeoutError(operation, ms))), ms);
  });
  // The losing store call may still settle later: swallow it so it never becomes an unhandled rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

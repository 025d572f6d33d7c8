/** The outcome of waiting for work under a deadline: its value, or why there is none. */
export type Timed<T> =
  { ok: true; value: T } | { ok: false; reason: 'timeout' } | { ok: false; reason: 'error'; error: unknown };

/**
 * The one timeout race of the code base: waits for `work` at most `ms`. The work is not cancelled on timeout
 * (callers decide: a late LLM answer still fills the cache), and its later rejection is swallowed here so it
 * never becomes unhandled. `yieldToIo` defers the timeout to the check phase after its timer: an answer that
 * reached the socket in the same loop turn (a busy event loop runs due timers before reading sockets) still
 * wins, so CPU saturation alone does not turn store hits into timeouts.
 */
export function withinDeadline<T>(
  work: Promise<T>,
  ms: number,
  options: { yieldToIo?: boolean } = {},
): Promise<Timed<T>> {
  if (ms <= 0) {
    work.catch(() => undefined);
    return Promise.resolve({ ok: false, reason: 'timeout' });
  }
  return new Promise((resolve) => {
    const timeout = () => resolve({ ok: false, reason: 'timeout' });
    const timer = setTimeout(() => (options.yieldToIo ? setImmediate(timeout) : timeout()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: 'error', error });
      },
    );
  });
}

/** `fallback` when `work` fails or takes longer than `ms` (withinDeadline); the late result is dropped. */
export async function withDeadline<T>(input: {
  ms: number;
  fallback: T;
  work: () => Promise<T>;
}): Promise<T> {
  const timed = await withinDeadline(
    Promise.resolve().then(() => input.work()),
    input.ms,
  );
  return timed.ok ? timed.value : input.fallback;
}

/** Milliseconds left of a budget that started at `startedAt` (from `performance.now()`). */
export function remainingMs(startedAt: number, budgetMs: number, now: number): number {
  return Math.max(0, Math.round(budgetMs - (now - startedAt)));
}

/** The outcome of waiting for work under a deadline: its value, or why there is none. */
export type Timed<T> =
  { ok: true; value: T } | { ok: false; reason: 'timeout' } | { ok: false; reason: 'error'; error: unknown };

/**
 * Waits for `work` at most `ms`. The work is not cancelled on timeout (callers decide: a late LLM answer
 * still fills the cache), and its later rejection is swallowed here so it never becomes unhandled.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<Timed<T>> {
  if (ms <= 0) {
    work.catch(() => undefined);
    return Promise.resolve({ ok: false, reason: 'timeout' });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), ms);
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

/** Milliseconds left of a budget that started at `startedAt` (from `performance.now()`). */
export function remainingMs(startedAt: number, budgetMs: number, now: number): number {
  return Math.max(0, Math.round(budgetMs - (now - startedAt)));
}

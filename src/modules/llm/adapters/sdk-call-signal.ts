/**
 * A signal of its own for one OpenAI SDK call, aborted when the caller's is. The SDK adds an abort listener to
 * the signal it is given and never removes it, so a long-lived or shared signal would collect one listener (and
 * the request's AbortController) per call for as long as it lives: cockatiel hands every call made without a
 * signal the same never-aborted signal, which lives as long as the process. `release()` (in a finally) unlinks
 * the call's signal from the caller's.
 */
export function sdkCallSignal(parent: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  if (!parent) return { signal: controller.signal, release: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, release: () => parent.removeEventListener('abort', onAbort) };
}

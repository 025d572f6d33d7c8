import { types } from 'node:util';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { isRetryableStatus, parseRetryAfter, UpstreamError } from '../domain/upstream-error';

/**
 * Maps SDK errors to UpstreamError; aborts by the caller pass through untouched. `timing` (when the attempt
 * started, and its timeout) tells a timeout from another connection failure where the SDK cannot: it only
 * recognizes its own abort when the abort error is an `Error` of its realm.
 */
export function toUpstreamError(
  upstream: string,
  error: unknown,
  timing?: { startedAt: number; timeoutMs: number },
): unknown {
  // By name: an abort is a DOMException (not a native error) and may come from another realm.
  if (error instanceof APIUserAbortError || (error as { name?: unknown } | null)?.name === 'AbortError')
    return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new UpstreamError(upstream, `${upstream}: request timed out`, {
      retryable: true,
      timedOut: true,
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    const timedOut = timing !== undefined && performance.now() - timing.startedAt >= timing.timeoutMs;
    return new UpstreamError(
      upstream,
      timedOut ? `${upstream}: request timed out` : `${upstream}: connection failed (${error.message})`,
      { retryable: true, timedOut, cause: error },
    );
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    // The SDK's message starts with the status already; the rest is the server's own text (see openAiCompatibleFetch).
    const text = error.message.startsWith(`${error.status} `)
      ? error.message.slice(String(error.status).length + 1)
      : error.message;
    return new UpstreamError(upstream, `${upstream}: HTTP ${error.status} ${text}`, {
      retryable: isRetryableStatus(error.status),
      status: error.status,
      retryAfterMs: parseRetryAfter(error.headers),
      cause: error,
    });
  }
  // A stream cut mid-way surfaces as a plain Error from the SSE reader or fetch (`TypeError: terminated`, built by
  // the main realm's TypeError, which is no `instanceof Error` in another realm): a connection failure.
  if ((types.isNativeError(error) || error instanceof Error) && !(error instanceof UpstreamError)) {
    return new UpstreamError(upstream, `${upstream}: ${error.message}`, { retryable: true, cause: error });
  }
  return error;
}

import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { isRetryableStatus, parseRetryAfter, UpstreamError } from '../domain/upstream-error';

/** Maps SDK errors to UpstreamError; aborts by the caller pass through untouched. */
export function toUpstreamError(upstream: string, error: unknown): unknown {
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError'))
    return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new UpstreamError(upstream, `${upstream}: request timed out`, { retryable: true, cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new UpstreamError(upstream, `${upstream}: connection failed (${error.message})`, {
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    return new UpstreamError(upstream, `${upstream}: HTTP ${error.status} ${error.message}`, {
      retryable: isRetryableStatus(error.status),
      status: error.status,
      retryAfterMs: parseRetryAfter(error.headers),
      cause: error,
    });
  }
  // A stream cut mid-way surfaces as a plain Error from the SSE reader: treat it as a connection failure.
  if (error instanceof Error && !(error instanceof UpstreamError)) {
    return new UpstreamError(upstream, `${upstream}: ${error.message}`, { retryable: true, cause: error });
  }
  return error;
}

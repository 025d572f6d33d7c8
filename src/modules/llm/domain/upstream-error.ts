/**
 * A failed call to a remote model, classified once by the adapter so the resilience layer never needs to
 * know the SDK: retryable covers 429, 5xx, timeouts and connection errors; other 4xx cannot succeed on retry.
 */
export class UpstreamError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  /** From Retry-After / retry-after-ms, when the upstream sent one. */
  readonly retryAfterMs?: number;
  /** No answer within the client timeout (or HTTP 408): reported apart from other failures in metrics. */
  readonly timedOut: boolean;

  constructor(
    readonly upstream: string,
    message: string,
    info: { retryable: boolean; status?: number; retryAfterMs?: number; timedOut?: boolean; cause?: unknown },
  ) {
    super(message, { cause: info.cause });
    this.name = 'UpstreamError';
    this.retryable = info.retryable;
    this.status = info.status;
    this.retryAfterMs = info.retryAfterMs;
    this.timedOut = info.timedOut ?? info.status === 408;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Retry-After is seconds or an HTTP date; retry-after-ms (OpenAI) takes precedence. */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  now = Date.now(),
): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

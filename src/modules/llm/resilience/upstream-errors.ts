import { BrokenCircuitError } from 'cockatiel';
import { AppError, ErrorCode } from '../../../common/errors/app-error';
import { UpstreamError } from '../domain/upstream-error';

/** The remote model cannot serve now (breaker open, or transient failures outlasted the retries). */
export function isUnavailable(error: unknown): boolean {
  return (
    error instanceof BrokenCircuitError ||
    (error instanceof UpstreamError && error.retryable) ||
    (error instanceof AppError && error.code === ErrorCode.DependencyUnavailable)
  );
}

/** Upstream failures leave the module as AppError; a caller's own abort passes through unchanged. */
export function toAppError(error: unknown, what: string): unknown {
  if (error instanceof AppError) return error;
  if (isUnavailable(error)) {
    const retryAfterMs = error instanceof UpstreamError ? error.retryAfterMs : undefined;
    return new AppError(ErrorCode.DependencyUnavailable, `${what} is unavailable, try again shortly`, {
      cause: error,
      retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
    });
  }
  if (error instanceof UpstreamError) {
    // 401/403/404: wrong key, no access or unknown model: the dependency is misconfigured, not our input.
    const misconfigured = error.status === 401 || error.status === 403 || error.status === 404;
    return new AppError(
      misconfigured ? ErrorCode.DependencyUnavailable : ErrorCode.Internal,
      `${what} rejected the request (${error.message})`,
      {
        cause: error,
      },
    );
  }
  return error;
}

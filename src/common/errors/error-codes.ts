import { ErrorCode } from './app-error';

/** The one table from domain error codes to HTTP status and reason phrase. */
export const HTTP_BY_CODE: Record<ErrorCode, { status: number; error: string }> = {
  validation_failed: { status: 400, error: 'Bad Request' },
  unauthorized: { status: 401, error: 'Unauthorized' },
  forbidden: { status: 403, error: 'Forbidden' },
  not_found: { status: 404, error: 'Not Found' },
  conflict: { status: 409, error: 'Conflict' },
  payload_too_large: { status: 413, error: 'Payload Too Large' },
  rate_limited: { status: 429, error: 'Too Many Requests' },
  dependency_unavailable: { status: 503, error: 'Service Unavailable' },
  internal: { status: 500, error: 'Internal Server Error' },
};

export const REASON_BY_STATUS: Record<number, string> = Object.fromEntries(
  Object.values(HTTP_BY_CODE).map(({ status, error }) => [status, error]),
);

/**
 * Domain and infrastructure errors carry a string code; the one exception filter maps codes to HTTP.
 * Services, processors and adapters throw these, never HTTP exceptions.
 */
export const ErrorCode = {
  ValidationFailed: 'validation_failed',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  PayloadTooLarge: 'payload_too_large',
  RateLimited: 'rate_limited',
  DependencyUnavailable: 'dependency_unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string | string[],
    readonly details: { retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.name = 'AppError';
    this.messages = Array.isArray(message) ? message : undefined;
  }
  /** Present when the error lists several problems (validation): sent as an array. */
  readonly messages?: string[];

  static notFound(what: string, id: string): AppError {
    return new AppError(ErrorCode.NotFound, `${what} '${id}' not found`);
  }
  static invalid(messages: string[] | string): AppError {
    return new AppError(ErrorCode.ValidationFailed, messages);
  }
  static unavailable(dependency: string, cause?: unknown): AppError {
    return new AppError(ErrorCode.DependencyUnavailable, `${dependency} is unavailable, try again shortly`, { cause });
  }
}

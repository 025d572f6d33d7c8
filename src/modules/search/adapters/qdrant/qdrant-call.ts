import { Logger } from '@nestjs/common';
import { QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { AppError } from '../../../../common/errors/app-error';

/**
 * Runs one Qdrant call under a deadline and maps failures: unreachable, timed out, 429 and 5xx →
 * dependency_unavailable; a 4xx → validation_failed with Qdrant's message; a missing collection keeps
 * status 404 in `details.cause` for the callers that treat it as empty. The client's own timeout aborts the
 * HTTP request; the deadline here (combined with the caller's signal) ends the wait for it.
 */
export async function qdrantCall<T>(input: {
  operation: string;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  logger: Logger;
  run: () => Promise<T>;
}): Promise<T> {
  const { operation, signal, timeoutMs, logger, run } = input;
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(combined.reason ?? new Error('aborted'));
    if (combined.aborted) onAbort();
    else combined.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run(), aborted]);
  } catch (error) {
    throw mapQdrantError({ operation, error, callerSignal: signal, timeoutMs, logger });
  } finally {
    if (onAbort) combined.removeEventListener('abort', onAbort);
  }
}

function mapQdrantError(input: {
  operation: string;
  error: unknown;
  callerSignal: AbortSignal | undefined;
  timeoutMs: number;
  logger: Logger;
}): AppError {
  const { operation, error, callerSignal, timeoutMs, logger } = input;
  if (error instanceof AppError) return error;
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) {
    const message = qdrantMessage(error) ?? `HTTP ${status}`;
    return new AppError('validation_failed', `Qdrant rejected ${operation}: ${message}`, { cause: error });
  }
  if (callerSignal?.aborted) {
    return new AppError('dependency_unavailable', `Qdrant ${operation} was cancelled`, { cause: error });
  }
  const reason =
    error instanceof QdrantClientTimeoutError ||
    (error instanceof DOMException && error.name === 'TimeoutError')
      ? `timed out after ${timeoutMs} ms`
      : status !== undefined
        ? `HTTP ${status}`
        : String((error as Error)?.message ?? error);
  logger.warn(`Qdrant ${operation} failed: ${reason}`);
  return AppError.unavailable(`Qdrant (${operation}: ${reason})`, error);
}

/** The HTTP status of a Qdrant client error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function qdrantMessage(error: unknown): string | undefined {
  const data = (error as { data?: { status?: { error?: unknown } } } | null)?.data;
  const message = data?.status?.error;
  return typeof message === 'string' ? message : undefined;
}

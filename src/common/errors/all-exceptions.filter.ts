import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { HTTP_BY_CODE, REASON_BY_STATUS } from './error-codes';
import { ErrorResponseDto } from './error-response';
import { isDatabaseConnectionError } from './database-errors';

interface ErrorShape {
  status: number;
  message: string | string[];
  retryAfterSeconds?: number;
}

/** Turns anything thrown into the API.md error shape; the only place that knows HTTP status codes. */
export function toErrorShape(exception: unknown): ErrorShape {
  if (exception instanceof AppError) {
    const { status } = HTTP_BY_CODE[exception.code];
    return {
      status,
      message: exception.messages ?? exception.message,
      retryAfterSeconds: exception.details.retryAfterSeconds,
    };
  }
  if (exception instanceof ThrottlerException) {
    return { status: 429, message: 'rate limit exceeded for this company, retry after the Retry-After delay' };
  }
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? (body as { message: string | string[] }).message
        : exception.message;
    // Fastify's body parser errors reach Nest as HttpExceptions without a field name.
    const named = typeof message === 'string' && /^(request )?body\b/i.test(message) ? `body: ${message}` : message;
    return { status: exception.getStatus(), message: named };
  }
  if (isFastifyError(exception)) {
    if (exception.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return { status: 413, message: 'request body is larger than the configured limit' };
    }
    if (exception.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return { status: 415, message: 'content-type must be application/json' };
    }
    if (exception.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return { status: 400, message: 'body: a JSON body is required' };
    }
    if (exception.statusCode >= 400 && exception.statusCode < 500) {
      return { status: exception.statusCode, message: `body: ${exception.message}` };
    }
  }
  if (isDatabaseConnectionError(exception)) {
    return { status: 503, message: 'database is unavailable, try again shortly', retryAfterSeconds: 2 };
  }
  return { status: 500, message: 'internal error' };
}

function isFastifyError(e: unknown): e is Error & { code: string; statusCode: number } {
  return e instanceof Error && typeof (e as { statusCode?: unknown }).statusCode === 'number';
}

export function errorBody(shape: ErrorShape, requestId: string): ErrorResponseDto {
  return {
    statusCode: shape.status,
    error: REASON_BY_STATUS[shape.status] ?? reasonFallback(shape.status),
    message: shape.message,
    request_id: requestId,
  };
}

function reasonFallback(status: number): string {
  const known: Record<number, string> = { 405: 'Method Not Allowed', 406: 'Not Acceptable', 415: 'Unsupported Media Type' };
  return known[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const shape = toErrorShape(exception);
    if (shape.status >= 500) {
      this.logger.error({ err: exception, request_id: request.id, url: request.url }, 'request failed');
    }
    if (reply.sent || reply.raw.headersSent) {
      // A streamed response already started: the SSE layer reports the error in-band.
      reply.raw.end();
      return;
    }
    if (shape.retryAfterSeconds !== undefined) reply.header('Retry-After', String(shape.retryAfterSeconds));
    reply.status(shape.status).send(errorBody(shape, request.id));
  }
}

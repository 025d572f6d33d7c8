import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export type AccessLogLevel = 'error' | 'warn' | 'info';

/**
 * The level of a request's access line, or `undefined` to write none: 5xx `error`, 4xx `warn` (always
 * written), a success `info` unless it was faster than LOG_SUCCESS_MIN_MS (0 logs every one). Successful
 * health probes are not logged: orchestrators call them every few seconds.
 */
export function accessLogLevel(input: {
  status: number;
  durationMs: number;
  path: string;
  successMinMs: number;
}): AccessLogLevel | undefined {
  if (input.status >= 500) return 'error';
  if (input.status >= 400) return 'warn';
  if (input.path.startsWith('/health')) return undefined;
  if (input.successMinMs > 0 && input.durationMs < input.successMinMs) return undefined;
  return 'info';
}

/**
 * One access line per request, written in Fastify's onResponse hook: it also sees the 401s of the guard, the
 * 400s of body parsing, the 404s of unknown routes and the 413s, which never reach a Nest middleware or
 * handler. `route` is the route template (null when no route matched; `url` then says what was asked).
 */
export function registerAccessLog(
  fastify: FastifyInstance,
  logger: Logger,
  settings: { successMinMs: number },
): void {
  // Callback style: no promise per response.
  fastify.addHook('onResponse', (request, reply, done) => {
    try {
      const status = reply.statusCode;
      const durationMs = reply.elapsedTime;
      const path = request.url.split('?', 1)[0];
      const level = accessLogLevel({ status, durationMs, path, successMinMs: settings.successMinMs });
      if (level && logger.isLevelEnabled(level)) {
        const matched = !request.is404;
        logger[level](
          {
            method: request.method,
            route: matched ? (request.routeOptions.url ?? null) : null,
            ...(matched ? {} : { url: path }),
            status,
            duration_ms: Math.round(durationMs * 10) / 10,
            company_id: request.tenant?.companyId,
            request_id: request.id,
          },
          'request completed',
        );
      }
    } finally {
      done();
    }
  });
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

const requestIds = new AsyncLocalStorage<string>();

/**
 * The request id of the request being served, for the lines logged while it is (the root logger's mixin adds
 * it as `request_id`); undefined outside a request.
 */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}

/**
 * Serves every request inside a context that holds its id, entered in Fastify's first hook: everything the
 * request runs afterwards (body parsing, Nest's guards, interceptors and handler, their awaits) sees it. One
 * string per request, instead of a child logger bound to the request through a Nest middleware (pino-http):
 * nothing is built for the request's log lines until one is written.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  // Callback style: no promise per request.
  fastify.addHook('onRequest', (request, _reply, done) => requestIds.run(request.id, done));
}

import type { FastifyInstance } from 'fastify';
import { cacheResultLabel, endpointLabel, methodLabel, statusCodeLabel } from './domain/metric-labels';
import { MetricsService } from './metrics.service';

/**
 * Times every response in Fastify's onResponse hook rather than a Nest interceptor: it also sees 401s
 * from the guard, 400s from body parsing, 404s for unknown routes and 413s, which never reach a handler.
 */
export function registerHttpTiming(fastify: FastifyInstance, metrics: MetricsService): void {
  // Callback style: no promise per response.
  fastify.addHook('onResponse', (request, reply, done) => {
    try {
      metrics.recordHttpRequest({
        method: methodLabel(request.method),
        endpoint: endpointLabel(request.is404 ? undefined : request.routeOptions.url),
        companyId: request.tenant?.companyId,
        statusCode: statusCodeLabel(reply.statusCode),
        cacheResult: cacheResultLabel(reply.getHeader('x-cache')),
        durationS: reply.elapsedTime / 1000,
      });
    } finally {
      done();
    }
  });
}

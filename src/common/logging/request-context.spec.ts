import Fastify from 'fastify';
import { Writable } from 'node:stream';
import { loadConfig } from '../../config/config';
import { currentRequestId, registerRequestContext } from './request-context';
import { createRootLogger } from './root-logger';

describe('request context (the request id of every line logged while a request is served)', () => {
  it('reaches a handler after its body was parsed and after it awaited', async () => {
    const fastify = Fastify({ genReqId: (req) => String(req.headers['x-request-id']) });
    registerRequestContext(fastify);
    fastify.post('/echo', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.resolve();
      return { seen: currentRequestId(), body: request.body };
    });
    // Over a real socket: the body arrives in the socket's own events, after the first hook ran.
    const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'x-request-id': 'ctx-1', 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await res.json()).toEqual({ seen: 'ctx-1', body: { a: 1 } });
    expect(currentRequestId()).toBeUndefined();
    await fastify.close();
  });

  it('is written on the lines of the root logger inside a request, and on no other line', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = createRootLogger(loadConfig({ LOG_LEVEL: 'info' }), sink);
    const fastify = Fastify({ genReqId: (req) => String(req.headers['x-request-id']) });
    registerRequestContext(fastify);
    fastify.get('/warn', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.warn('inside');
      return {};
    });
    await fastify.inject({ method: 'GET', url: '/warn', headers: { 'x-request-id': 'ctx-2' } });
    logger.warn('outside');
    expect(lines.map((l) => [l.msg, l.request_id])).toEqual([
      ['inside', 'ctx-2'],
      ['outside', undefined],
    ]);
    await fastify.close();
  });
});

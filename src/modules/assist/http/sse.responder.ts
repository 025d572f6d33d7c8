import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { CacheMode } from '../../cache/ports/layered-cache.port';
import { formatSse, SseEvent } from '../domain/sse';

export interface OpenedStream {
  cached: boolean;
  events: AsyncIterable<SseEvent>;
}

/** `Accept: text/event-stream` asks for the streamed variant of /query and /reply. */
export function wantsEventStream(request: FastifyRequest): boolean {
  return /\btext\/event-stream\b/i.test(request.headers.accept ?? '');
}

/** `Cache-Control: no-cache` skips the cache read and refreshes the entry (API.md). */
export function cacheModeOf(request: FastifyRequest): CacheMode {
  return /\bno-cache\b/i.test(String(request.headers['cache-control'] ?? '')) ? 'no-cache' : 'default';
}

/**
 * Sends a JSON answer with its X-Cache header (`STALE` for what was served because the current version could not
 * be checked). Through Fastify's reply, so X-Request-Id and the error filter work as on every route.
 */
export function sendJson(reply: FastifyReply, body: { cached: boolean }, stale = false): FastifyReply {
  return reply
    .status(200)
    .header('x-cache', stale ? 'STALE' : body.cached ? 'HIT' : 'MISS')
    .send(body);
}

/**
 * Streams server-sent events through Fastify's reply, so the headers set by hooks (X-Request-Id) go out
 * with the stream's own. Everything that can fail with a status (validation, 404s) fails in `open`, before
 * the first byte; afterwards failures are `error` events. A client that disconnects aborts the upstream
 * model call through the signal.
 */
export async function sendEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  open: (signal: AbortSignal) => Promise<OpenedStream>,
): Promise<FastifyReply> {
  const abort = new AbortController();
  const opened = await open(abort.signal);
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort(new Error('client disconnected'));
  });
  return reply
    .status(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    .header('connection', 'keep-alive')
    .header('x-accel-buffering', 'no')
    .header('x-cache', opened.cached ? 'HIT' : 'MISS')
    .send(Readable.from(frames(opened.events, request.id)));
}

async function* frames(events: AsyncIterable<SseEvent>, requestId: string): AsyncGenerator<string> {
  try {
    for await (const event of events) yield formatSse(event);
  } catch {
    // The services turn model failures into `error` events; anything else still ends the stream well-formed.
    yield formatSse({
      event: 'error',
      data: { message: `internal error (request ${requestId})`, code: 'internal' },
    });
  }
}

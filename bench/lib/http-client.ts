import { Agent, IncomingHttpHeaders, request } from 'node:http';

export interface HttpResponse {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
  ms: number;
}

export interface HttpCall {
  port: number;
  method: string;
  path: string;
  key?: string;
  /** An object is sent as JSON; a string is sent as is (malformed JSON on purpose). */
  body?: unknown;
  headers?: Record<string, string>;
  agent?: Agent;
  timeoutMs?: number;
}

/** A keep-alive agent: load generators reuse sockets like a real client would. */
export const keepAliveAgent = (maxSockets = 256) => new Agent({ keepAlive: true, maxSockets });

/** One HTTP request on 127.0.0.1. A network error or timeout is returned as status 0 (never thrown). */
export function httpCall(input: HttpCall): Promise<HttpResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const payload =
      input.body === undefined
        ? undefined
        : typeof input.body === 'string'
          ? input.body
          : JSON.stringify(input.body);
    const req = request(
      {
        host: '127.0.0.1',
        port: input.port,
        method: input.method,
        path: input.path,
        agent: input.agent,
        headers: {
          ...(input.key ? { authorization: `Bearer ${input.key}` } : {}),
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(input.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
            ms: performance.now() - started,
          }),
        );
        res.on('error', (error) =>
          resolve({ status: 0, body: String(error), headers: {}, ms: performance.now() - started }),
        );
      },
    );
    req.setTimeout(input.timeoutMs ?? 30_000, () => req.destroy(new Error('client timeout')));
    req.on('error', (error) =>
      resolve({ status: 0, body: String(error), headers: {}, ms: performance.now() - started }),
    );
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function parseJson<T = unknown>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHttpFetch } from '../../../src/modules/llm/adapters/node-http.fetch';

/** The SDK's fetch over node:http, against a real HTTP server: what the OpenAI SDK relies on from fetch. */
describe('nodeHttpFetch', () => {
  let server: Server;
  let base: string;
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => handler(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body; answers status, headers and the JSON body', async () => {
    let seen: { method?: string; auth?: string; type?: string; encoding?: string; body?: string } = {};
    handler = (req, body, res) => {
      seen = {
        method: req.method,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        encoding: req.headers['accept-encoding'],
        body,
      };
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
      res.end(JSON.stringify({ ok: true, text: '안녕하세요' }));
    };
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'héllo 안녕' }] });
    const response = await nodeHttpFetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req-1');
    await expect(response.json()).resolves.toEqual({ ok: true, text: '안녕하세요' });
    // No compression is offered: the body is read as it arrives.
    expect(seen).toEqual({
      method: 'POST',
      auth: 'Bearer k',
      type: 'application/json',
      encoding: undefined,
      body,
    });
  });

  it('streams: the first event is readable before the server ends the response', async () => {
    let finish: () => void = () => undefined;
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
      finish = () => res.end('data: [DONE]\n\n');
    };
    const response = await nodeHttpFetch(`${base}/stream`, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: {"n":1}\n\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('rejects with an AbortError when the signal fires, as fetch does', async () => {
    handler = () => undefined; // never answers
    const controller = new AbortController();
    const pending = nodeHttpFetch(`${base}/slow`, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(
      nodeHttpFetch(`${base}/slow`, { method: 'POST', body: '{}', signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('answers error statuses with their body, and statuses without a body with none', async () => {
    handler = (req, _body, res) => {
      if (req.url === '/empty') return void res.writeHead(204).end();
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end('{"error":{"message":"slow down"}}');
    };
    const limited = await nodeHttpFetch(`${base}/limited`, { method: 'POST', body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.ok).toBe(false);
    expect(limited.headers.get('retry-after')).toBe('2');
    await expect(limited.text()).resolves.toBe('{"error":{"message":"slow down"}}');
    const empty = await nodeHttpFetch(`${base}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('refuses a connection failure as fetch does (a rejected promise, never a response)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(nodeHttpFetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('leaves a Request object or a stream body to the global fetch', async () => {
    handler = (_req, body, res) => res.end(`got ${body}`);
    const viaRequest = await nodeHttpFetch(new Request(`${base}/r`, { method: 'POST', body: 'abc' }));
    await expect(viaRequest.text()).resolves.toBe('got abc');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const viaStream = await nodeHttpFetch(`${base}/s`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expect(viaStream.text()).resolves.toBe('got streamed');
  });
});

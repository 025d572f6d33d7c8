import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  status: number;
  /** JSON-serialized unless a string (sent as is, e.g. a plain-text or HTML error page). */
  body: unknown;
  headers?: Record<string, string>;
}

export interface RecordedCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

type Responder = (call: RecordedCall) => ScriptedResponse;

/**
 * A test double that answers each route with a scripted response: the request/response shapes recorded from
 * another server's documentation or source (vLLM, Ollama, llama.cpp server, LiteLLM). It records every request
 * body, so a test can check what the real OpenAI SDK sent through our adapters.
 */
export class OpenAiCompatibleDouble {
  readonly calls: RecordedCall[] = [];
  private readonly routes = new Map<string, Responder>();
  private server: Server | undefined;

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('double is not listening');
    return `http://127.0.0.1:${address.port}/v1`;
  }

  /** `route` is `METHOD /path` under /v1, e.g. `POST /embeddings`. */
  on(route: string, respond: ScriptedResponse | Responder): this {
    this.routes.set(route, typeof respond === 'function' ? respond : () => respond);
    return this;
  }

  reset(): void {
    this.routes.clear();
    this.calls.length = 0;
  }

  callsTo(path: string): RecordedCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0].replace(/^\/v1/, '');
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
    };
    this.calls.push(call);
    const respond = this.routes.get(`${call.method} ${path}`);
    const answer = respond
      ? respond(call)
      : { status: 404, body: { error: { message: `no scripted route ${call.method} ${path}` } } };
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
      ...answer.headers,
    });
    res.end(text);
  }
}

/** A float32 vector as the base64 an OpenAI-compatible server sends for `encoding_format: "base64"`. */
export function base64Of(vector: number[]): string {
  return Buffer.from(Float32Array.from(vector).buffer).toString('base64');
}

export function vectorOf(dimension: number, seed = 1): number[] {
  return Array.from({ length: dimension }, (_, i) => Math.sin(seed * 31 + i));
}

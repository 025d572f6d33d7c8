import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '../support/seeded-random';

/**
 * An OpenAI-compatible HTTP server for tests and benchmarks (node:http, no framework):
 * POST /v1/chat/completions (plain and SSE-streamed, with a usage chunk when stream_options.include_usage),
 * POST /v1/embeddings (float arrays, or base64 when encoding_format is 'base64', which the v6 SDK asks for by
 * default), GET /v1/models. Outputs are deterministic; a "token" is a whitespace-separated word.
 * Chat prompts go through OpenAI's automatic prompt caching as documented: a prompt of at least 1,024 tokens
 * reports, in `usage.prompt_tokens_details.cached_tokens`, the longest prefix (1,024 tokens, then steps of 128)
 * that an earlier prompt of the same server shared, while that prefix was used within the last `promptCacheTtlMs`.
 */
export interface FakeOpenAiOptions {
  /** Delay before answering (before the first byte of a stream). */
  latencyMs: number;
  /** Delay between streamed tokens. */
  tokenDelayMs: number;
  /** Share of requests answered with 500, drawn from a seeded generator. */
  failureRate: number;
  seed: number;
  /** Size of returned vectors unless the request asks for `dimensions`. */
  embeddingDimension: number;
  /**
   * Chat only, when above 0: the wall time of a whole completion, like a real model's. A plain answer
   * arrives after it; a stream sends its first token after `latencyMs` and spreads the rest over the
   * remainder (instead of `tokenDelayMs`).
   */
  completionMs: number;
  /** How long a cached prompt prefix lives after its last use (OpenAI: 5 to 10 minutes); 0 turns caching off. */
  promptCacheTtlMs: number;
  /** What GET /v1/models lists. */
  models: string[];
}

export type FakeFault = { status: 429; retryAfterSeconds?: number } | { status: number } | { hang: true };

export interface FakeCounters {
  requests: number;
  chatCalls: number;
  streamCalls: number;
  embeddingCalls: number;
  embeddingInputs: number;
  modelsCalls: number;
  faults: number;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens answered from the prompt cache (a part of `promptTokens`). */
  cachedPromptTokens: number;
  embeddingTokens: number;
  inFlight: number;
  maxInFlight: number;
}

type Endpoint = 'chat' | 'embeddings' | 'models';

const emptyCounters = (): FakeCounters => ({
  requests: 0,
  chatCalls: 0,
  streamCalls: 0,
  embeddingCalls: 0,
  embeddingInputs: 0,
  modelsCalls: 0,
  faults: 0,
  promptTokens: 0,
  completionTokens: 0,
  cachedPromptTokens: 0,
  embeddingTokens: 0,
  inFlight: 0,
  maxInFlight: 0,
});

const fakeTokens = (text: string): string[] => text.split(/\s+/u).filter(Boolean);
export const countFakeTokens = (text: string): number => fakeTokens(text).length;

export class FakeOpenAiServer {
  counters: FakeCounters = emptyCounters();
  private options: FakeOpenAiOptions = {
    latencyMs: 0,
    tokenDelayMs: 0,
    failureRate: 0,
    seed: 1,
    embeddingDimension: 16,
    completionMs: 0,
    promptCacheTtlMs: 300_000,
    models: ['fake-chat', 'gpt-4o-mini', 'text-embedding-3-small'],
  };
  private readonly promptCache = new PromptPrefixCache();
  private readonly faults: { fault: FakeFault; endpoint?: Endpoint }[] = [];
  private readonly sockets = new Set<Socket>();
  private random = mulberry32(1);
  /** Every chat request body received, for assertions on prompts and parameters. */
  readonly chatBodies: Record<string, unknown>[] = [];

  private constructor(private readonly server: Server) {}

  static async start(options: Partial<FakeOpenAiOptions> = {}): Promise<FakeOpenAiServer> {
    const server = createServer();
    const fake = new FakeOpenAiServer(server);
    fake.configure(options);
    server.on('request', (req, res) => void fake.handle(req, res));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL for the SDK (`baseURL`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  configure(options: Partial<FakeOpenAiOptions>): void {
    this.options = { ...this.options, ...options };
    if (options.seed !== undefined) this.random = mulberry32(options.seed);
  }

  /** Faults are consumed in order by the next matching requests. */
  injectFaults(faults: FakeFault[], endpoint?: Endpoint): void {
    for (const fault of faults) this.faults.push({ fault, endpoint });
  }

  reset(): void {
    this.counters = emptyCounters();
    this.faults.length = 0;
    this.chatBodies.length = 0;
    this.promptCache.clear();
    this.random = mulberry32(this.options.seed);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The deterministic completion the fake gives for a prompt. */
  static completionFor(messages: { content?: unknown }[]): string {
    const last = String(messages.at(-1)?.content ?? '');
    const words = last.split(/\s+/u).filter(Boolean).slice(-12);
    return `Fake completion: ${words.join(' ')}`.trim();
  }

  static vectorFor(text: string, dimension: number): number[] {
    const random = mulberry32(hash(text));
    return Array.from({ length: dimension }, () => random() * 2 - 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    this.counters.inFlight++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.counters.inFlight);
    res.on('close', () => this.counters.inFlight--);
    const endpoint = route(req);
    if (!endpoint) return json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    const body = endpoint === 'models' ? {} : await readJson(req);

    const faultIndex = this.faults.findIndex((f) => !f.endpoint || f.endpoint === endpoint);
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0].fault : undefined;
    if (fault) this.counters.faults++;
    if (fault && 'hang' in fault) return; // never answer: the client's timeout must fire
    await sleep(this.options.latencyMs);
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = {};
      if ('retryAfterSeconds' in fault && fault.retryAfterSeconds !== undefined) {
        headers['retry-after'] = String(fault.retryAfterSeconds);
      }
      return json(
        res,
        fault.status,
        { error: { message: `injected ${fault.status}`, type: 'fake_fault' } },
        headers,
      );
    }
    if (this.options.failureRate > 0 && this.random() < this.options.failureRate) {
      this.counters.faults++;
      return json(res, 500, { error: { message: 'random failure', type: 'fake_fault' } });
    }

    if (endpoint === 'models') {
      this.counters.modelsCalls++;
      return json(res, 200, {
        object: 'list',
        data: this.options.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
      });
    }
    if (endpoint === 'embeddings') return this.embeddings(body, res);
    return this.chat(body, res);
  }

  private embeddings(body: Record<string, unknown>, res: ServerResponse): void {
    const inputs = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
    const dimension = typeof body.dimensions === 'number' ? body.dimensions : this.options.embeddingDimension;
    const tokens = inputs.reduce((sum, text) => sum + countFakeTokens(text), 0);
    this.counters.embeddingCalls++;
    this.counters.embeddingInputs += inputs.length;
    this.counters.embeddingTokens += tokens;
    const data = inputs.map((text, index) => {
      const vector = FakeOpenAiServer.vectorFor(text, dimension);
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    });
    json(res, 200, {
      object: 'list',
      data,
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  private async chat(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    this.chatBodies.push(body);
    const messages = (body.messages ?? []) as { role?: unknown; content?: unknown }[];
    // Each token with its message's role: the same words in another role are another prompt.
    const prompt = messages.flatMap((m) =>
      fakeTokens(String(m.content ?? '')).map((t) => `${String(m.role)}:${t}`),
    );
    const promptTokens = prompt.length;
    const cachedTokens = this.promptCache.lookupAndKeep(prompt, this.options.promptCacheTtlMs);
    const text = FakeOpenAiServer.completionFor(messages);
    const pieces = text.split(/(?<=\s)/u);
    const completionTokens = countFakeTokens(text);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedTokens },
    };
    const model = String(body.model ?? 'fake-chat');
    const base = { id: 'chatcmpl-fake', created: 1_700_000_000, model };

    const { completionMs, latencyMs } = this.options;
    if (!body.stream) {
      await sleep(completionMs - latencyMs);
      if (res.destroyed) return;
      this.counters.chatCalls++;
      this.count(promptTokens, completionTokens, cachedTokens);
      return json(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null },
        ],
        usage,
      });
    }
    this.counters.streamCalls++;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    send(chunk({ role: 'assistant', content: '' }, null));
    const tokenDelayMs =
      completionMs > 0 ? Math.max(0, completionMs - latencyMs) / pieces.length : this.options.tokenDelayMs;
    for (const piece of pieces) {
      if (res.destroyed) return;
      await sleep(tokenDelayMs);
      send(chunk({ content: piece }, null));
    }
    send(chunk({}, 'stop'));
    const includeUsage =
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (includeUsage) send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
    this.count(promptTokens, completionTokens, cachedTokens);
    res.end('data: [DONE]\n\n');
  }

  private count(promptTokens: number, completionTokens: number, cachedTokens: number): void {
    this.counters.promptTokens += promptTokens;
    this.counters.cachedPromptTokens += cachedTokens;
    this.counters.completionTokens += completionTokens;
  }
}

function route(req: IncomingMessage): Endpoint | undefined {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'POST' && path === '/v1/chat/completions') return 'chat';
  if (req.method === 'POST' && path === '/v1/embeddings') return 'embeddings';
  if (req.method === 'GET' && path === '/v1/models') return 'models';
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) =>
  ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * OpenAI's automatic prompt caching, as its guide describes it: only prompts of 1,024 tokens or more, hits on
 * exact prefixes in steps of 128 tokens past the first 1,024, each prefix kept for a while after its last use.
 * A prefix is identified by a hash of its tokens, so memory grows with the
 * number of distinct prefixes, not with their length.
 */
class PromptPrefixCache {
  static readonly MIN_TOKENS = 1024;
  static readonly STEP_TOKENS = 128;
  private readonly expiresAt = new Map<string, number>();

  /** The cached prefix length of a prompt's tokens; every prefix of them is then (re)kept for `ttlMs`. */
  lookupAndKeep(tokens: string[], ttlMs: number): number {
    if (ttlMs <= 0 || tokens.length < PromptPrefixCache.MIN_TOKENS) return 0;
    const now = Date.now();
    for (const [key, at] of this.expiresAt) if (at <= now) this.expiresAt.delete(key);
    const hash = createHash('sha256');
    let hashed = 0;
    let cached = 0;
    for (let end = PromptPrefixCache.MIN_TOKENS; end <= tokens.length; end += PromptPrefixCache.STEP_TOKENS) {
      for (; hashed < end; hashed++) hash.update(`${tokens[hashed]}\u0000`);
      const key = hash.copy().digest('base64');
      // Every prompt keeps all its prefixes with one expiry, and shorter ones are refreshed at least as often,
      // so the live prefixes of a prompt are always its shortest ones: the last live one is the hit.
      if (this.expiresAt.has(key)) cached = end;
      this.expiresAt.set(key, now + ttlMs);
    }
    return cached;
  }

  clear(): void {
    this.expiresAt.clear();
  }
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApp } from '../../src/bootstrap/create-app';
import { loadConfig } from '../../src/config/config';
import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { readEventStream as readFrames } from '../../test/support/event-stream';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/** The JSON bodies of every route, read loosely by the benchmarks (as tests do). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- many response shapes, checked by the e2e tests
export type JsonBody = any;

export interface AssistBenchApp {
  app: NestFastifyApplication;
  url: string;
  /** JSON over HTTP on the app's real port. */
  call(input: {
    method: 'GET' | 'POST' | 'PUT';
    path: string;
    key: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<{ status: number; body: JsonBody; headers: Headers; ms: number }>;
  createCompany(companyId: string): Promise<string>;
  /** Stores articles and waits until search finds them all (bundles list articles: index them first). */
  putArticles(key: string, articles: object[]): Promise<void>;
  /** Waits until every ticket of the company is indexed and every prefetch has finished. */
  waitIndexed(key: string, count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole application in services mode (PostgreSQL schema of its own, Redis with its own key and queue
 * prefixes, embedded vector index) on a real port, for the Assist benchmarks. Needs DATABASE_URL and
 * REDIS_URL (defaults: the machine's test services).
 */
export async function startAssistApp(env: Record<string, string>): Promise<AssistBenchApp> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const schema = `bench_assist_${randomBytes(4).toString('hex')}`;
  await withPg(databaseUrl, (c) => c.query(`CREATE SCHEMA ${schema}`)).catch((error: unknown) => {
    throw new Error(`PostgreSQL at ${databaseUrl} is needed (set DATABASE_URL): ${String(error)}`);
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-assist-'));
  const tag = randomBytes(3).toString('hex');
  const config = loadConfig({
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    QUEUE_REDIS_URL: process.env.QUEUE_REDIS_URL ?? redisUrl,
    QUEUE_PREFIX: `bench-assist-${tag}`,
    REDIS_KEY_PREFIX: `bench-assist-${tag}:`,
    RATE_LIMIT_PER_MINUTE: '1000000',
    RECONCILE_INTERVAL_MS: '600000',
    ...env,
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = await app.getUrl();

  const { call, createCompany } = httpClient(url, ADMIN_KEY);

  return {
    app,
    url,
    call,
    createCompany,
    async putArticles(key, articles) {
      const put = await call({ method: 'PUT', path: '/api/v1/articles', key, body: { articles } });
      if (put.status !== 200) throw new Error(`PUT articles: ${put.status}`);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const res = await call({
          method: 'POST',
          path: '/api/v1/search',
          key,
          body: { query: 'refund order account', data_types: ['articles'], limit: 50 },
          headers: { 'cache-control': 'no-cache' },
        });
        if (res.body.results.length >= Math.min(articles.length, 50)) break;
        if (Date.now() > deadline) throw new Error('articles not indexed in time');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await app.get(TicketPrefetchListener).whenIdle();
    },
    async waitIndexed(key, count, timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let indexed = 0;
        let cursor: string | null = null;
        do {
          const page = await call({
            method: 'GET',
            path: `/api/v1/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            key,
          });
          indexed += (page.body.items as Array<{ index_state: string }>).filter(
            (t) => t.index_state !== 'pending',
          ).length;
          cursor = page.body.next_cursor as string | null;
        } while (cursor);
        if (indexed >= count) break;
        if (Date.now() > deadline) throw new Error(`only ${indexed}/${count} tickets indexed in time`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await app.get(TicketPrefetchListener).whenIdle();
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
      await withPg(databaseUrl, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    },
  };
}

/** JSON over HTTP to an app's real port with an API key, and the admin call that creates a company. */
export function httpClient(url: string, adminKey: string): Pick<AssistBenchApp, 'call' | 'createCompany'> {
  const call: AssistBenchApp['call'] = async ({ method, path, key, body, headers }) => {
    const started = performance.now();
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers,
      ms: performance.now() - started,
    };
  };
  return {
    call,
    async createCompany(companyId) {
      const res = await call({
        method: 'POST',
        path: '/api/v1/admin/companies',
        key: adminKey,
        body: { company_id: companyId, name: companyId },
      });
      if (res.status !== 201) throw new Error(`create company ${companyId}: ${res.status}`);
      return res.body.api_key as string;
    },
  };
}

/** Reads a text/event-stream response: time to the first `token` event and to the end, and the events. */
export async function readEventStream(
  response: Response,
  startedAt: number,
): Promise<{ firstTokenMs: number; totalMs: number; events: Array<{ event: string; data: JsonBody }> }> {
  const { frames } = await readFrames(response, startedAt);
  const totalMs = performance.now() - startedAt;
  const firstTokenMs = frames.find((f) => f.event === 'token')?.atMs ?? Number.NaN;
  return { firstTokenMs, totalMs, events: frames.map(({ event, data }) => ({ event, data })) };
}

async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

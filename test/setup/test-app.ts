import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createApp, CreateAppOptions } from '../../src/bootstrap/create-app';
import { createMetricsServer } from '../../src/bootstrap/metrics-server';
import { AppConfig, loadConfig } from '../../src/config/config';

export type DbTarget = 'sqlite' | 'postgres';

/**
 * The database a both-targets suite runs on: SQLite without DATABASE_URL, PostgreSQL with it. CI runs both (the
 * no-variables runs and the services run); running SQLite again in the services run repeated the no-variables
 * runs with Redis in place of the memory cache, which the files that start a SQLite app on purpose still cover,
 * and cost a quarter of the services run.
 */
export function dbTargets(): DbTarget[] {
  return process.env.DATABASE_URL ? ['postgres'] : ['sqlite'];
}

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataDir: string;
  request(input: {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    key?: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  createCompany(companyId: string): Promise<string>;
  /** GET /metrics on the metrics listener (METRICS_PORT in production); 404 with METRICS_ENABLED=false. */
  scrapeMetrics(headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * A whole application over a fresh database: a new SQLite file, or a new PostgreSQL schema dropped at the
 * end. Each test file gets its own, so files never see each other's rows.
 */
export async function startTestApp(
  target: DbTarget,
  env: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-test-'));
  const base: Record<string, string> = {
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE: '100000',
    // Tests count model calls and inject faults from the first one; the probe has its own tests.
    LLM_STARTUP_PROBE: 'false',
    // Apps of different test files share the test Redis: each gets its own queues.
    QUEUE_PREFIX: `test-${process.pid}-${randomBytes(3).toString('hex')}`,
    REDIS_KEY_PREFIX: `test-${process.pid}-${randomBytes(3).toString('hex')}:`,
  };
  let schema: string | undefined;
  if (target === 'postgres') {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('postgres target needs DATABASE_URL');
    schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
    await withPg(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
    Object.assign(base, { DATABASE_URL: url, DATABASE_SCHEMA: schema });
  }
  if (process.env.REDIS_URL && env.REDIS_URL === undefined) base.REDIS_URL = process.env.REDIS_URL;
  if (target === 'sqlite' && process.env.REDIS_URL) {
    // better-sqlite3 is synchronous: a large write (a 1,000-ticket upsert) holds this process's event loop, and a
    // Redis reply that arrived meanwhile is read only after the due timers have run, so ioredis's 250 ms command
    // timeout and the cache's budgets fire on answered commands (seen in CI as 503s and cut exports on a loaded
    // machine). Tests of those budgets set them explicitly (redis-freeze.spec.ts).
    Object.assign(base, {
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      CACHE_OP_TIMEOUT_MS: '1000',
      CACHE_STATE_TIMEOUT_MS: '3000',
    });
  }
  if (process.env.QUEUE_REDIS_URL && env.QUEUE_REDIS_URL === undefined) base.QUEUE_REDIS_URL = process.env.QUEUE_REDIS_URL;
  const merged = { ...base, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === '') delete merged[k];
  const config = loadConfig(merged);
  const app = await createApp(config, options);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  const request: TestApp['request'] = async ({ method, url, key, body, headers }) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(headers ?? {}) },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    let parsed: unknown = undefined;
    try {
      parsed = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.statusCode, body: parsed, headers: response.headers, text: response.body };
  };

  let metricsServer: Awaited<ReturnType<typeof createMetricsServer>> | null = null;
  const scrapeMetrics: TestApp['scrapeMetrics'] = async (headers = {}) => {
    metricsServer ??= await createMetricsServer(app, config);
    if (!metricsServer) return { status: 404, text: '', headers: {} };
    const response = await metricsServer.inject({ method: 'GET', url: '/metrics', headers });
    return { status: response.statusCode, text: response.body, headers: response.headers };
  };

  return {
    app,
    config,
    dataDir,
    request,
    scrapeMetrics,
    async createCompany(companyId: string) {
      const res = await request({
        method: 'POST',
        url: '/api/v1/admin/companies',
        key: TEST_ADMIN_KEY,
        body: { company_id: companyId, name: `Company ${companyId}` },
      });
      if (res.status !== 201) throw new Error(`createCompany ${companyId}: ${res.status} ${res.text}`);
      return res.body.api_key as string;
    },
    async close() {
      await app.close();
      await metricsServer?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema && process.env.DATABASE_URL) {
        await withPg(process.env.DATABASE_URL, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
      }
    },
  };
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

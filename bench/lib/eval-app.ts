import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/bootstrap/create-app';
import { loadConfig } from '../../src/config/config';
import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { seededRandom, type SupportRecord } from './dataset';
import { type AssistBenchApp, httpClient, type JsonBody, startAssistApp } from './assist-app';

const ADMIN_KEY = 'eval-admin-key-0123456789abcdef';

export type EvalMode = 'embedded' | 'services';

/** The application on a real port, met the way a client meets it: HTTP with an API key. */
export interface EvalApp {
  app: NestFastifyApplication;
  call(input: {
    method: 'GET' | 'POST' | 'PUT';
    path: string;
    key: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<{ status: number; body: JsonBody; headers: Headers }>;
  createCompany(companyId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Embedded mode (SQLite, in-process index, cache and queue under a temporary DATA_DIR) or services mode
 * (PostgreSQL schema and Redis prefixes of its own: see startAssistApp). `env` overrides the configuration.
 */
export async function startEvalApp(mode: EvalMode, env: Record<string, string> = {}): Promise<EvalApp> {
  if (mode === 'services') {
    const services: AssistBenchApp = await startAssistApp(env);
    return {
      app: services.app,
      call: services.call,
      createCompany: services.createCompany,
      close: services.close,
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'eval-app-'));
  const config = loadConfig({
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE: '1000000',
    RECONCILE_INTERVAL_MS: '600000',
    ...env,
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = await app.getUrl();
  return {
    app,
    ...httpClient(url, ADMIN_KEY),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const EVAL_DAY = '2024-03-01';

/**
 * A dataset record as a client would store it: the one-line customer message is the subject (neither
 * source has a subject line), resolved; with `withReply`, the example agent reply (Bitext) answers it.
 */
export interface EvalTicket {
  ticket_id: string;
  subject: string;
  status: string;
  created_at: string;
  conversations?: Array<{ from: 'customer' | 'agent'; body: string; created_at: string }>;
}

export function recordAsTicket(record: SupportRecord, index: number, withReply = false): EvalTicket {
  const at = `${EVAL_DAY}T${String(Math.floor(index / 3600) % 24).padStart(2, '0')}:${String(
    Math.floor(index / 60) % 60,
  ).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}.000Z`;
  return {
    ticket_id: record.id,
    subject: Array.from(record.body).slice(0, 500).join(''),
    status: 'resolved',
    created_at: at,
    ...(withReply && record.response
      ? {
          conversations: [
            { from: 'customer' as const, body: record.body, created_at: at },
            { from: 'agent' as const, body: record.response.slice(0, 10_000), created_at: at },
          ],
        }
      : {}),
  };
}

/** PUT in batches of 1,000, then POST /ingest over the day and wait until the job and every ticket are done. */
export async function ingestTickets(
  client: EvalApp,
  key: string,
  tickets: object[],
  timeoutMs = 1_800_000,
): Promise<void> {
  for (let start = 0; start < tickets.length; start += 1000) {
    const put = await client.call({
      method: 'PUT',
      path: '/api/v1/tickets',
      key,
      body: { tickets: tickets.slice(start, start + 1000) },
    });
    if (put.status !== 200) throw new Error(`PUT tickets: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const job = await client.call({
    method: 'POST',
    path: '/api/v1/ingest',
    key,
    body: { start_date: EVAL_DAY, end_date: EVAL_DAY, data_types: ['tickets'] },
  });
  if (job.status !== 202) throw new Error(`POST ingest: ${job.status} ${JSON.stringify(job.body)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await client.call({ method: 'GET', path: `/api/v1/ingest/${job.body.job_id}`, key });
    if (state.body.state === 'failed') throw new Error(`ingest failed: ${JSON.stringify(state.body)}`);
    if (state.body.state === 'completed' && (await pendingTickets(client, key)) === 0) break;
    if (Date.now() > deadline) throw new Error('ingest did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await client.app.get(TicketPrefetchListener).whenIdle();
}

async function pendingTickets(client: EvalApp, key: string): Promise<number> {
  let pending = 0;
  let cursor: string | null = null;
  do {
    const page = await client.call({
      method: 'GET',
      path: `/api/v1/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      key,
    });
    pending += (page.body.items as Array<{ index_state: string }>).filter(
      (t) => t.index_state === 'pending',
    ).length;
    cursor = page.body.next_cursor as string | null;
  } while (cursor);
  return pending;
}

/** A fixed-seed held-out split stratified by intent: about `share` of each intent's records are queries. */
export function heldOutSplit(
  records: SupportRecord[],
  share: number,
  seed = 19,
): { corpus: SupportRecord[]; queries: SupportRecord[] } {
  const byIntent = new Map<string, number[]>();
  records.forEach((r, i) => byIntent.set(r.intent, [...(byIntent.get(r.intent) ?? []), i]));
  const random = seededRandom(seed);
  const held = new Set<number>();
  for (const indices of [...byIntent.values()]) {
    const shuffled = [...indices];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    for (const i of shuffled.slice(0, Math.max(1, Math.round(indices.length * share)))) held.add(i);
  }
  return {
    corpus: records.filter((_, i) => !held.has(i)),
    queries: records.filter((_, i) => held.has(i)),
  };
}

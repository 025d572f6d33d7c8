import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateTickets, inBatches } from '../../../src/cli/generate/support-data.generator';
import Redis from 'ioredis';
import { pointIdOf } from '../../../src/modules/search/domain/point-id';
import { FakeQdrantServer } from '../../fakes/qdrant.fake-server';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../../setup/test-app';
import { freePort } from '../../support/free-port';
import { describeSkippedWithout } from '../../support/services';

const TICKETS = 2_000;

async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A worker killed with SIGKILL in the middle of an ingest job: its Bull lock expires, the stalled-job check of
 * the next worker moves the job back to waiting, and the job completes there. The vector store is the Qdrant
 * double served from this process, so both worker processes write to the same one.
 */
// Needs PostgreSQL and Redis: runs where the suite has them (services mode, as in CI).
if (process.env.DATABASE_URL && process.env.QUEUE_REDIS_URL) {
  describe('worker SIGKILLed mid-job (services mode)', () => {
    const qdrant = new FakeQdrantServer();
    const workers: ChildProcess[] = [];
    const dataDirs: string[] = [];
    let t: TestApp;
    let pg: Client;

    beforeAll(async () => {
      await qdrant.start();
    });

    afterAll(async () => {
      for (const worker of workers) {
        if (worker.exitCode !== null || worker.signalCode !== null) continue;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGKILL');
        await exited;
      }
      await pg?.end();
      await t?.close();
      await qdrant.stop();
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    });

    /** A worker process sharing the test app's database schema, queues and Redis prefix. */
    async function startWorker(
      extraEnv: Record<string, string> = {},
    ): Promise<{ child: ChildProcess; output: () => string }> {
      const dataDir = mkdtempSync(join(tmpdir(), 'sc-worker-'));
      dataDirs.push(dataDir);
      const port = await freePort();
      const db = t.config.database;
      if (db.kind !== 'postgres') throw new Error('services mode expected');
      const child = spawn(process.execPath, ['--require', './bench/swc-register.js', 'src/main.ts'], {
        cwd: join(__dirname, '../../..'),
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          APP_ROLE: 'worker',
          // No metrics listener: two workers (and other test runs' servers) would all take its fixed port.
          METRICS_ENABLED: 'false',
          WORKER_PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          ADMIN_API_KEY: TEST_ADMIN_KEY,
          LOG_LEVEL: 'warn',
          DATABASE_URL: db.url,
          DATABASE_SCHEMA: db.schema,
          REDIS_URL: process.env.REDIS_URL ?? '',
          QUEUE_REDIS_URL: process.env.QUEUE_REDIS_URL ?? '',
          QUEUE_PREFIX: t.config.ingest.queuePrefix,
          REDIS_KEY_PREFIX: t.config.redis.keyPrefix,
          QDRANT_URL: qdrant.url,
          INGEST_CHUNK_SIZE: '50',
          INGEST_CONCURRENCY: '2',
          QUEUE_STALLED_INTERVAL_MS: '1000',
          QUEUE_LOCK_DURATION_MS: '6000',
          // Only Bull's stalled-job handling may finish the killed job: no periodic sweep during the test.
          RECONCILE_INTERVAL_MS: '600000',
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      workers.push(child);
      let output = '';
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      return { child, output: () => output };
    }

    it('finishes the killed job elsewhere with one vector per row and no duplicates', async () => {
      t = await startTestApp('postgres', {
        APP_ROLE: 'api',
        QDRANT_URL: qdrant.url,
        RECONCILE_INTERVAL_MS: '600000',
      });
      const db = t.config.database;
      if (db.kind !== 'postgres') throw new Error('services mode expected');
      pg = new Client({ connectionString: db.url });
      await pg.connect();
      const key = await t.createCompany('sigkill');
      for (const tickets of inBatches(generateTickets(TICKETS, { seed: 5 }), 1_000)) {
        const res = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
        expect(res.status).toBe(200);
      }
      const started = await t.request({
        method: 'POST',
        url: '/api/v1/ingest',
        key,
        body: { start_date: '2024-01-01', end_date: '2025-01-31', options: { force: true } },
      });
      expect(started.status).toBe(202);
      const jobId = started.body.job_id as string;
      const job = async () => (await t.request({ method: 'GET', url: `/api/v1/ingest/${jobId}`, key })).body;

      const first = await startWorker();
      // Kill it while the ingest job is part-way through its rows.
      const progress = await waitFor(
        async () => {
          if (first.child.exitCode !== null) throw new Error(`worker exited early:\n${first.output()}`);
          const view = await job();
          return view.state === 'active' &&
            view.progress.processed >= 100 &&
            view.progress.processed < TICKETS
            ? view.progress
            : undefined;
        },
        120_000,
        'ingest job part-way',
      );
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      expect(progress.processed).toBeLessThan(TICKETS);
      expect((await job()).state).toBe('active');

      const second = await startWorker();
      const done = await waitFor(
        async () => {
          if (second.child.exitCode !== null) throw new Error(`second worker exited:\n${second.output()}`);
          const view = await job();
          if (view.state === 'failed') throw new Error(`job failed: ${view.failed_reason}`);
          return view.state === 'completed' ? view : undefined;
        },
        120_000,
        'the killed job completed by the second worker',
      );
      expect(done.stats).toMatchObject({ total: TICKETS, processed: TICKETS, failed: 0 });

      const { rows } = await pg.query<{ index_state: string; n: string }>(
        `SELECT index_state, count(*) AS n FROM ${db.schema}.ticket WHERE company_id = 'sigkill' GROUP BY index_state`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.index_state, Number(r.n)]))).toEqual({ indexed: TICKETS });
      const collections = qdrant.collectionNames().filter((name) => name.includes('ticket'));
      expect(collections).toHaveLength(1);
      const points = qdrant.pointIds(collections[0]);
      expect(points).toHaveLength(TICKETS);
      expect(new Set(points).size).toBe(TICKETS);
      const counts = (await t.request({ method: 'GET', url: '/api/v1/admin/queues', key: TEST_ADMIN_KEY }))
        .body.queues.ingest;
      expect(counts.failed).toBe(0);
      expect(qdrant.validationErrors).toEqual([]);
    }, 300_000);

    it('leaves no orphan vector when the worker is killed between the row delete and the vector delete', async () => {
      // The first test's surviving worker goes: this one starts with no worker at all.
      for (const worker of workers) {
        if (worker.exitCode !== null || worker.signalCode !== null) continue;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGKILL');
        await exited;
      }
      const db = t.config.database;
      if (db.kind !== 'postgres') throw new Error('services mode expected');
      const key = await t.createCompany('sigkill-del');
      const tickets = [...generateTickets(200, { seed: 9 })].map((ticket, i) => ({ ...ticket, ticket_id: `SKD-${i}` }));
      expect((await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } })).status).toBe(200);
      const first = await startWorker();
      const count = async (sql: string) => Number((await pg.query<{ n: string }>(sql)).rows[0].n);
      await waitFor(
        async () => {
          if (first.child.exitCode !== null) throw new Error(`worker exited early:\n${first.output()}`);
          return (
            (await count(
              `SELECT count(*) AS n FROM ${db.schema}.ticket WHERE company_id = 'sigkill-del' AND index_state = 'indexed'`,
            )) === 200
          );
        },
        120_000,
        'tickets indexed',
      );
      const collection = qdrant.collectionNames().find((name) => name.includes('ticket'))!;
      const withPoints = () => {
        const ids = new Set(qdrant.pointIds(collection).map(String));
        return tickets.filter((ticket) => ids.has(pointIdOf('sigkill-del', 'ticket', ticket.ticket_id)));
      };
      expect(withPoints()).toHaveLength(200);

      // The rows go with their tombstones; the worker dies before or while it removes the vectors.
      const doomed = tickets.slice(0, 100).map((ticket) => ticket.ticket_id);
      const firstExited = new Promise((resolve) => first.child.once('exit', resolve));
      const deleting = t.request({ method: 'POST', url: '/api/v1/tickets/delete', key, body: { ticket_ids: doomed } });
      first.child.kill('SIGKILL');
      expect((await deleting).body).toEqual({ deleted: 100, not_found: [] });
      await firstExited;
      // The purge job is lost with the queue: only a reconciler can find the tombstones now.
      const redis = new Redis(process.env.QUEUE_REDIS_URL!);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.config.ingest.queuePrefix}:*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }

      const second = await startWorker({ RECONCILE_INTERVAL_MS: '1000' });
      await waitFor(
        async () => {
          if (second.child.exitCode !== null) throw new Error(`second worker exited:\n${second.output()}`);
          // The vectors go first, then the tombstones are marked purged.
          const unpurged = await count(
            `SELECT count(*) AS n FROM ${db.schema}.deleted_item WHERE company_id = 'sigkill-del' AND purged_at IS NULL`,
          );
          return withPoints().length === 100 && unpurged === 0;
        },
        120_000,
        'orphans removed and tombstones purged after reconcile',
      );
      expect(withPoints().map((ticket) => ticket.ticket_id)).toEqual(tickets.slice(100).map((x) => x.ticket_id));
    }, 300_000);
  });
} else {
  describeSkippedWithout('worker SIGKILLed mid-job (services mode)', ['DATABASE_URL', 'QUEUE_REDIS_URL']);
}

import { ChildProcess, spawn } from 'node:child_process';
import { FakeOpenAiServer } from '../../fakes/openai.fake-server';
import { FAST_LLM_ENV } from '../llm/llm-test-kit';
import { ticketFactory } from '../../factories/ticket.factory';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../../setup/test-app';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function exportStates(t: TestApp, key: string): Promise<Map<string, { state: string; error: string | null }>> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/tickets/export', headers: { authorization: `Bearer ${key}` } });
  const rows = res.body.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return new Map(rows.map((r: any) => [r.ticket_id, { state: r.index_state, error: r.index_error }]));
}

async function queueIdle(t: TestApp): Promise<boolean> {
  const res = await t.request({ method: 'GET', url: '/api/v1/admin/queues', key: TEST_ADMIN_KEY });
  const c = res.body.queues.ingest;
  return c.waiting + c.active + c.delayed === 0;
}

describe.each(dbTargets())('ingest with a failing LLM (%s)', (target) => {
  let fake: FakeOpenAiServer;
  let t: TestApp;

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('ends with every row indexed or failed-and-listed when 30% of LLM calls fail', async () => {
    fake = await FakeOpenAiServer.start({ failureRate: 0.3, seed: 7, embeddingDimension: 16 });
    t = await startTestApp(target, {
      ...FAST_LLM_ENV,
      OPENAI_BASE_URL: fake.url,
      LLM_BATCH_RETRY_ATTEMPTS: '1',
      LLM_MAX_RETRIES: '0',
      LLM_BREAKER_THRESHOLD: '1000',
      RECONCILE_INTERVAL_MS: '600000',
      INGEST_CHUNK_SIZE: '50',
    });
    const key = await t.createCompany('flaky');
    const tickets = Array.from({ length: 200 }, (_, i) => ticketFactory({ ticket_id: `F-${i}`, updated_at: '2024-07-01T00:00:00Z' }));
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    // Let the outbox job of the upsert finish first, so the ingest job alone decides every row's final state.
    await waitFor(() => queueIdle(t), 60_000);
    const start = await t.request({ method: 'POST', url: '/api/v1/ingest', key, body: { start_date: '2024-07-01', end_date: '2024-07-01', options: { force: true } } });
    expect(start.status).toBe(202);

    let job: any;
    await waitFor(async () => {
      job = (await t.request({ method: 'GET', url: `/api/v1/ingest/${start.body.job_id}`, key })).body;
      return job.state === 'completed';
    }, 60_000);
    await waitFor(() => queueIdle(t), 60_000);

    expect(job).toMatchObject({ state: 'completed', stats: { total: 200 } });
    expect(job.stats.indexed + job.stats.failed).toBe(200);
    expect(job.errors).toHaveLength(job.stats.failed);
    expect(fake.counters.faults).toBeGreaterThan(0);

    const states = await exportStates(t, key);
    expect(states.size).toBe(200);
    const failed = [...states].filter(([, s]) => s.state === 'failed');
    for (const [, s] of states) expect(['indexed', 'failed']).toContain(s.state);
    for (const [, s] of failed) expect(s.error).toEqual(expect.any(String));
    // Every row the job could not index is listed in its result with its error.
    const listed = new Set(job.errors.map((e: { id: string }) => e.id));
    for (const [id] of failed) expect(listed.has(id)).toBe(true);
  }, 120_000);
});

// Needs a Redis it may stop and start: runs where the suite has Redis (services mode, as in CI).
if (process.env.QUEUE_REDIS_URL) {
  describe('queue Redis down during upserts', () => {
    const port = 6390 + Math.floor(Math.random() * 9);
    let redis: ChildProcess | undefined;
    let t: TestApp;

    const startRedis = async () => {
      redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 300));
    };
    const stopRedis = async () => {
      if (!redis) return;
      const exited = new Promise((r) => redis!.once('exit', r));
      redis.kill('SIGKILL');
      await exited;
      redis = undefined;
    };

    afterAll(async () => {
      await t?.close();
      await stopRedis();
    });

    it('stores upserts while the queue is down and indexes them once it returns', async () => {
      await startRedis();
      t = await startTestApp('sqlite', { QUEUE_REDIS_URL: `redis://127.0.0.1:${port}`, RECONCILE_INTERVAL_MS: '500' });
      const key = await t.createCompany('outage');
      await stopRedis();

      const started = Date.now();
      const res = await t.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key,
        body: { tickets: Array.from({ length: 20 }, (_, i) => ticketFactory({ ticket_id: `O-${i}` })) },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ upserted: 20, unchanged: 0 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await t.request({ method: 'GET', url: '/api/v1/tickets/O-0', key })).body.index_state).toBe('pending');

      await startRedis();
      await waitFor(async () => {
        const states = await exportStates(t, key);
        return [...states.values()].every((s) => s.state === 'indexed');
      }, 30_000);
    }, 60_000);
  });
}

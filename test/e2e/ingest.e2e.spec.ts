import Redis from 'ioredis';
import { koreanTicketFactory, ticketFactory, articleFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

async function waitForJob(t: TestApp, key: string, jobId: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.request({ method: 'GET', url: `/api/v1/ingest/${jobId}`, key });
    if (res.status !== 200) throw new Error(`job ${jobId}: ${res.status} ${res.text}`);
    if (res.body.state === 'completed' || res.body.state === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.body.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(dbTargets())('ingest (%s, local models)', (target) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    // A long reconcile interval: these tests drive indexing through upserts and explicit jobs.
    t = await startTestApp(target, { RECONCILE_INTERVAL_MS: '600000', INGEST_CHUNK_SIZE: '7' });
    key = await t.createCompany('ingest-a');
    otherKey = await t.createCompany('ingest-b');
  });
  afterAll(() => t.close());

  it('indexes upserted tickets through the outbox: summaries stored, state indexed', async () => {
    const tickets = [
      ticketFactory({ ticket_id: 'I-1', updated_at: '2024-05-02T00:00:00Z' }),
      koreanTicketFactory({ ticket_id: 'I-2', updated_at: '2024-05-03T00:00:00Z' }),
    ];
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    await waitFor(async () => {
      const res = await t.request({ method: 'GET', url: '/api/v1/tickets/I-2', key });
      return res.body.index_state === 'indexed';
    });
    const one = await t.request({ method: 'GET', url: '/api/v1/tickets/I-1', key });
    expect(one.body).toMatchObject({ index_state: 'indexed', summary_source: 'extractive', index_error: null });
    expect(one.body.summary.length).toBeGreaterThan(10);
    expect(one.body.indexed_at).toEqual(expect.any(String));
    const ko = await t.request({ method: 'GET', url: '/api/v1/tickets/I-2', key });
    expect(ko.body.summary).toMatch(/[가-힣]/);
  });

  it('runs an ingest job over a date range in chunks, reporting progress, stats and skipping unchanged rows', async () => {
    const tickets = Array.from({ length: 30 }, (_, i) =>
      ticketFactory({ ticket_id: `R-${i}`, updated_at: `2024-06-${String(1 + (i % 20)).padStart(2, '0')}T12:00:00Z` }),
    );
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    await t.request({ method: 'PUT', url: '/api/v1/articles', key, body: { articles: [articleFactory({ article_id: 'KB-I', updated_at: '2024-06-05T00:00:00Z' })] } });

    const start = await t.request({
      method: 'POST',
      url: '/api/v1/ingest',
      key,
      body: { start_date: '2024-06-01', end_date: '2024-06-30', data_types: ['tickets', 'articles'], options: { force: true } },
    });
    expect(start.status).toBe(202);
    const done = await waitForJob(t, key, start.body.job_id);
    expect(done).toMatchObject({
      state: 'completed',
      progress: { processed: 31, total: 31, failed: 0 },
      errors: [],
    });
    expect(done.stats).toMatchObject({ total: 31, processed: 31, indexed: 31, failed: 0, skipped_unchanged: 0 });

    const again = await t.request({
      method: 'POST',
      url: '/api/v1/ingest',
      key,
      body: { start_date: '2024-06-01', end_date: '2024-06-30', data_types: ['tickets'] },
    });
    const second = await waitForJob(t, key, again.body.job_id);
    expect(second.stats).toMatchObject({ total: 30, indexed: 0, skipped_unchanged: 30 });

    const metrics = (await t.scrapeMetrics()).text;
    expect(metrics).toMatch(/job_duration_seconds_count\{queue="ingest",job="ingest-range"\} [1-9]/);
    expect(metrics).toMatch(/queue_items_processed_total\{queue="ingest"\} [1-9]/);
  });

  it("keeps job status company-scoped: another company's job id is a 404", async () => {
    const start = await t.request({ method: 'POST', url: '/api/v1/ingest', key, body: { start_date: '2024-01-01', end_date: '2024-01-02' } });
    expect(start.status).toBe(202);
    expect((await t.request({ method: 'GET', url: `/api/v1/ingest/${start.body.job_id}`, key: otherKey })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v1/ingest/no-such-job', key })).status).toBe(404);
    await waitForJob(t, key, start.body.job_id);
  });

  it('validates the ingest request, naming each field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ end_date: '2024-01-02' }, /^start_date /],
      [{ start_date: '2024-01-05', end_date: '2024-01-02' }, /^end_date must be on or after start_date/],
      [{ start_date: '2024-02-30', end_date: '2024-03-01' }, /^start_date is not a calendar date/],
      [{ start_date: '2024/01/01', end_date: '2024-01-02' }, /^start_date must be a date/],
      [{ start_date: '2024-01-01', end_date: '2024-01-02', data_types: ['emails'] }, /^data_types\[\*\] must be one of/],
      [{ start_date: '2024-01-01', end_date: '2024-01-02', data_types: [] }, /^data_types /],
      [{ start_date: '2024-01-01', end_date: '2024-01-02', data_types: Array(6).fill('tickets') }, /^data_types /],
      [{ start_date: '2024-01-01', end_date: '2024-01-02', options: { force: 'yes' } }, /^options\.force /],
      [{ start_date: '2024-01-01', end_date: '2024-01-02', options: { nope: true } }, /^options\.nope is not an allowed field/],
    ];
    for (const [body, field] of cases) {
      const res = await t.request({ method: 'POST', url: '/api/v1/ingest', key, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
    }
    const other = await t.request({
      method: 'POST',
      url: '/api/v1/ingest',
      key,
      body: { company_id: 'ingest-b', start_date: '2024-01-01', end_date: '2024-01-02' },
    });
    expect(other.status).toBe(403);
  });

  it('shows queue counts to the admin only', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/admin/queues', key: TEST_ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.body.queues.ingest).toEqual(
      expect.objectContaining({ waiting: expect.any(Number), active: expect.any(Number), completed: expect.any(Number), failed: expect.any(Number) }),
    );
    expect((await t.request({ method: 'GET', url: '/api/v1/admin/queues', key })).status).toBe(403);
  });
});

if (process.env.QUEUE_REDIS_URL) {
  describe('queue connections (services mode)', () => {
    it('closing an application closes its Bull connections (producer, subscriber, blocking)', async () => {
      const probe = new Redis(process.env.QUEUE_REDIS_URL as string);
      const clients = async () => String(await probe.call('CLIENT', 'LIST')).trim().split('\n').length;
      try {
        const before = await clients();
        const t = await startTestApp('sqlite', { RECONCILE_INTERVAL_MS: '600000' });
        const key = await t.createCompany('conn-co');
        await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [ticketFactory({ ticket_id: 'C-1' })] } });
        await waitFor(async () => (await t.request({ method: 'GET', url: '/api/v1/tickets/C-1', key })).body.index_state === 'indexed');
        // A processing worker has all three open (Bull opens them lazily).
        expect(await clients()).toBeGreaterThanOrEqual(before + 3);
        await t.close();
        // Bull leaves connections from a createClient option open on close(); ours closes them.
        await waitFor(async () => (await clients()) <= before, 3_000);
      } finally {
        probe.disconnect();
      }
    });
  });

  describe('Bull Board (services mode)', () => {
    let t: TestApp;
    afterAll(() => t.close());

    it('serves the board to the admin key only, also as HTTP Basic for browsers', async () => {
      t = await startTestApp('sqlite');
      const key = await t.createCompany('board-co');
      expect((await t.request({ method: 'GET', url: '/api/v1/admin/queues/board' })).status).toBe(401);
      expect((await t.request({ method: 'GET', url: '/api/v1/admin/queues/board', key })).status).toBe(401);
      const ok = await t.request({ method: 'GET', url: '/api/v1/admin/queues/board', key: TEST_ADMIN_KEY });
      expect(ok.status).toBe(200);
      expect(ok.text).toMatch(/<html/i);
      const basic = Buffer.from(`admin:${TEST_ADMIN_KEY}`).toString('base64');
      // The board reads the queue through Bull's producer connection, which fails fast until it is open.
      let viaBasic = await t.request({ method: 'GET', url: '/api/v1/admin/queues/board/api/queues', headers: { authorization: `Basic ${basic}` } });
      for (let i = 0; i < 50 && viaBasic.status !== 200; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        viaBasic = await t.request({ method: 'GET', url: '/api/v1/admin/queues/board/api/queues', headers: { authorization: `Basic ${basic}` } });
      }
      expect(viaBasic.status).toBe(200);
      expect(JSON.stringify(viaBasic.body)).toContain('ingest');
    });
  });
}

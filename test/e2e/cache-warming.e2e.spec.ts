import { QueryPopularity } from '../../src/modules/warming/query-popularity.service';
import { JobQueue } from '../../src/modules/jobs/ports/job-queue.port';
import { ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(dbTargets())('cache warming (%s)', (target) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  const warm = (companyId: string, apiKey = TEST_ADMIN_KEY) =>
    t.request({ method: 'POST', url: `/api/v1/admin/cache/warm/${companyId}`, key: apiKey });

  const finished = async (jobId: string) => {
    const queue = t.app.get(JobQueue);
    let job = await queue.getJob(jobId);
    await waitFor(async () => {
      job = await queue.getJob(jobId);
      // Bull's getJob reads the job before its state: a job may look completed a moment before its result shows.
      return (job?.state === 'completed' && job.result != null) || job?.state === 'failed';
    });
    return job!;
  };

  beforeAll(async () => {
    t = await startTestApp(target, { RECONCILE_INTERVAL_MS: '600000' });
    key = await t.createCompany('warm-a');
    otherKey = await t.createCompany('warm-b');
    const tickets = [
      ticketFactory({
        ticket_id: 'W-REFUND',
        subject: 'Refund not received',
        description: 'Still waiting for my refund.',
      }),
      ticketFactory({
        ticket_id: 'W-LOGIN',
        subject: 'Cannot log in',
        description: 'The new password is rejected.',
      }),
    ];
    expect((await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } })).status).toBe(
      200,
    );
    for (const ticket of tickets) {
      await waitFor(async () => {
        const res = await t.request({ method: 'GET', url: `/api/v1/tickets/${ticket.ticket_id}`, key });
        return res.body.index_state === 'indexed';
      });
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('accepts a warm run as a job (202 job_id) that completes', async () => {
    const res = await warm('warm-a');
    expect(res.status).toBe(202);
    expect(typeof res.body.job_id).toBe('string');
    const job = await finished(res.body.job_id);
    expect(job.state).toBe('completed');
    expect(job.data).toEqual({ companyId: 'warm-a' });
  });

  it('names the field of a bad company id (400) and refuses tenant keys (403)', async () => {
    const bad = await warm('Not A Company!');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toContain('company_id');
    expect((await warm('warm-a', key)).status).toBe(403);
    expect((await warm('warm-b', otherKey)).status).toBe(403);
    expect((await t.request({ method: 'POST', url: '/api/v1/admin/cache/warm/warm-a' })).status).toBe(401);
  });

  it("makes a popular search a HIT for its company only, after the company's data changed", async () => {
    const body = { query: 'refund not received', limit: 5 };
    const popularity = t.app.get(QueryPopularity);
    await popularity.record({ companyId: 'warm-a', kind: 'search', request: body });
    await popularity.record({ companyId: 'warm-a', kind: 'search', request: body });

    // Data changed: once its indexing (and the invalidation that follows it) has settled, the company's search
    // entries are dropped, so without warming the next search would be a MISS.
    const changed = ticketFactory({
      ticket_id: 'W-REFUND',
      subject: 'Refund not received yet',
      description: 'Day 12.',
    });
    expect(
      (await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [changed] } })).status,
    ).toBe(200);
    await waitFor(async () => {
      const res = await t.request({ method: 'GET', url: '/api/v1/tickets/W-REFUND', key });
      return res.body.index_state === 'indexed';
    });
    await new Promise((r) => setTimeout(r, 1_500));
    const dropped = await t.request({
      method: 'DELETE',
      url: '/api/v1/admin/cache/warm-a?types=vector',
      key: TEST_ADMIN_KEY,
    });
    expect(dropped.status).toBe(200);

    const job = await finished((await warm('warm-a')).body.job_id);
    expect(job.state).toBe('completed');
    expect((job.result as { warmers: Record<string, unknown> }).warmers.search).toEqual({
      warmed: 1,
      skipped: 0,
      failed: 0,
    });

    const hit = await t.request({ method: 'POST', url: '/api/v1/search', key, body });
    expect(hit.status).toBe(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body.results.map((r: { id: string }) => r.id)).toContain('W-REFUND');

    // Company B asking the same thing gets its own (empty) results, computed for it: never A's warmed entry.
    const other = await t.request({ method: 'POST', url: '/api/v1/search', key: otherKey, body });
    expect(other.headers['x-cache']).toBe('MISS');
    expect(other.body.results).toEqual([]);
  });
});

import { VectorIndex } from '../../src/modules/search/ports/vector-index.port';
import { JobQueue } from '../../src/modules/jobs/ports/job-queue.port';
import { retentionJobId, retentionSlot } from '../../src/modules/retention/domain/retention-window';
import { RetentionScheduler } from '../../src/modules/retention/retention.scheduler';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { ticketFactory } from '../factories/ticket.factory';
import { waitFor } from '../support/wait-for';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

const DAY = 86_400_000;
/** The frozen clock of every retention run here: the scheduler's tick is given this time. */
const NOW = new Date('2026-01-10T10:20:00.000Z');
const WINDOW_END = new Date(NOW.getTime() - 30 * DAY);
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Retention in both modes, on a frozen clock: a 30-day tickets policy deletes the tickets last updated before
 * NOW − 30 days through the deletion outbox (gone from reads, search and the vector index), keeps the one just
 * inside the window, and a company without a policy loses nothing.
 */
describe.each(dbTargets())('retention (%s)', (target) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  const inside = ticketFactory({
    ticket_id: 'IN',
    subject: 'Parcel lost in transit, inside the window',
    created_at: at(WINDOW_END.getTime() - 5 * DAY),
    updated_at: at(WINDOW_END.getTime() + 1_000),
  });
  const outside = ticketFactory({
    ticket_id: 'OUT',
    subject: 'Parcel lost in transit, outside the window',
    created_at: at(WINDOW_END.getTime() - 5 * DAY),
    updated_at: at(WINDOW_END.getTime() - 1_000),
  });
  // Older ones, more than two batches of RETENTION_BATCH_SIZE.
  const older = Array.from({ length: 260 }, (_, i) =>
    ticketFactory({
      ticket_id: `OLD-${i}`,
      subject: `Old question ${i} about invoices`,
      conversations: undefined,
      created_at: at(WINDOW_END.getTime() - (400 + i) * DAY),
    }),
  );
  const all = [inside, outside, ...older];

  const policy = (companyId: string, body: unknown, apiKey = TEST_ADMIN_KEY) =>
    t.request({ method: 'PUT', url: `/api/v1/admin/companies/${companyId}/retention`, key: apiKey, body });
  const ticketIds = async (apiKey: string) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.request({
        method: 'GET',
        url: `/api/v1/tickets?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        key: apiKey,
      });
      ids.push(...(res.body.items as Array<{ ticket_id: string }>).map((x) => x.ticket_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    return ids.sort();
  };
  const searchIds = async (apiKey: string) => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/search',
      key: apiKey,
      body: { query: 'parcel lost in transit', data_types: ['tickets'], limit: 20 },
    });
    expect(res.status).toBe(200);
    return (res.body.results as Array<{ id: string }>).map((r) => r.id);
  };
  const vectorCount = (companyId: string) => t.app.get(VectorIndex).count({ companyId, type: 'ticket' });

  beforeAll(async () => {
    t = await startTestApp(target, { RETENTION_BATCH_SIZE: '100' });
    key = await t.createCompany('ret-a');
    otherKey = await t.createCompany('ret-b');
    for (const apiKey of [key, otherKey]) {
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/tickets', key: apiKey, body: { tickets: all } }))
          .status,
      ).toBe(200);
    }
    for (const companyId of ['ret-a', 'ret-b'])
      await waitFor(async () => (await vectorCount(companyId)) === all.length, 120_000);
    for (const apiKey of [key, otherKey])
      await waitFor(async () => (await searchIds(apiKey)).includes('OUT'), 60_000);
  }, 180_000);
  afterAll(() => t?.close());

  it('stores a policy (PUT and GET), null clears, omitted keeps; audited as retention.changed', async () => {
    expect(
      (
        await t.request({
          method: 'GET',
          url: '/api/v1/admin/companies/ret-a/retention',
          key: TEST_ADMIN_KEY,
        })
      ).body,
    ).toEqual({ company_id: 'ret-a', tickets_days: null, sessions_hours: null });
    const set = await policy('ret-a', { tickets_days: 30, sessions_hours: 12 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ company_id: 'ret-a', tickets_days: 30, sessions_hours: 12 });
    expect((await policy('ret-a', { sessions_hours: null })).body).toEqual({
      company_id: 'ret-a',
      tickets_days: 30,
      sessions_hours: null,
    });
    const read = await t.request({
      method: 'GET',
      url: '/api/v1/admin/companies/ret-a/retention',
      key: TEST_ADMIN_KEY,
    });
    expect(read.body).toEqual({ company_id: 'ret-a', tickets_days: 30, sessions_hours: null });
    const audit = await t.request({
      method: 'GET',
      url: '/api/v1/admin/audit?company_id=ret-a&action=retention.changed',
      key: TEST_ADMIN_KEY,
    });
    expect(audit.body.items).toHaveLength(2);
    expect(audit.body.items[0]).toMatchObject({
      action: 'retention.changed',
      target: 'company/ret-a',
      actor_key_id: expect.stringMatching(/^admin:/),
      details: {
        before: { tickets_days: 30, sessions_hours: 12 },
        after: { tickets_days: 30, sessions_hours: null },
      },
    });
  });

  it('answers 400 naming the field for a bad value, 404 for an unknown company, 403 to a company key', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ tickets_days: 0 }, /tickets_days must not be less than 1/],
      [{ tickets_days: 1.5 }, /tickets_days must be an integer number/],
      [{ tickets_days: '30' }, /tickets_days must be an integer number/],
      [{ tickets_days: 36_501 }, /tickets_days must not be greater than 36500/],
      [{ sessions_hours: -1 }, /sessions_hours must not be less than 1/],
      [{ sessions_hours: 8_761 }, /sessions_hours must not be greater than 8760/],
      [{ ticket_days: 30 }, /ticket_days is not an allowed field/],
      [{}, /set tickets_days or sessions_hours/],
    ];
    for (const [body, message] of cases) {
      const res = await policy('ret-a', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(res.body.message)).toMatch(message);
    }
    expect((await policy('no-such-co', { tickets_days: 30 })).status).toBe(404);
    expect(
      (
        await t.request({
          method: 'GET',
          url: '/api/v1/admin/companies/no-such-co/retention',
          key: TEST_ADMIN_KEY,
        })
      ).status,
    ).toBe(404);
    expect((await policy('ret-a', { tickets_days: 30 }, key)).status).toBe(403);
    // Nothing of the refused requests was stored.
    expect(
      (
        await t.request({
          method: 'GET',
          url: '/api/v1/admin/companies/ret-a/retention',
          key: TEST_ADMIN_KEY,
        })
      ).body,
    ).toEqual({ company_id: 'ret-a', tickets_days: 30, sessions_hours: null });
  });

  it('deletes the tickets outside the window at the frozen time; the one just inside stays; the company without a policy loses nothing', async () => {
    const otherBefore = await ticketIds(otherKey);
    expect(otherBefore).toHaveLength(all.length);
    // Two workers' schedulers tick in the same minute: one job for the company.
    const scheduler = t.app.get(RetentionScheduler);
    await Promise.all([scheduler.tick(NOW), scheduler.tick(new Date(NOW.getTime() + 900))]);
    const queue = t.app.get(JobQueue);
    const jobId = retentionJobId('ret-a', retentionSlot(NOW));
    await waitFor(async () => (await queue.getJob(jobId))?.state === 'completed', 60_000);
    expect((await queue.getJob(jobId))?.result).toEqual({
      ticketsDays: 30,
      cutoff: WINDOW_END.toISOString(),
      deleted: 1 + older.length,
    });
    expect(await queue.getJob(retentionJobId('ret-b', retentionSlot(NOW)))).toBeNull();

    expect(await ticketIds(key)).toEqual(['IN']);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/OUT', key })).status).toBe(404);
    // Gone from search at once, and from the vector index once the purge ran.
    const found = await searchIds(key);
    expect(found).toContain('IN');
    expect(found).not.toContain('OUT');
    await waitFor(async () => (await vectorCount('ret-a')) === 1, 60_000);
    expect(await ticketIds(otherKey)).toEqual(otherBefore);
    expect(await vectorCount('ret-b')).toBe(all.length);
    expect(await searchIds(otherKey)).toContain('OUT');
  });

  it('a later run at the same frozen time deletes nothing more; a cleared policy deletes nothing', async () => {
    const queue = t.app.get(JobQueue);
    // A retried or duplicated run (a second worker's late add in embedded mode) is idempotent.
    expect(await t.app.get(RetentionService).applyTicketRetention({ companyId: 'ret-a', asOf: NOW })).toEqual(
      {
        ticketsDays: 30,
        cutoff: WINDOW_END.toISOString(),
        deleted: 0,
      },
    );
    expect(await ticketIds(key)).toEqual(['IN']);

    expect((await policy('ret-a', { tickets_days: null })).status).toBe(200);
    // A year later, IN is far outside 30 days, but there is no policy any more: no job, nothing deleted.
    const later = new Date(NOW.getTime() + 365 * DAY);
    await t.app.get(RetentionScheduler).tick(later);
    expect(await queue.getJob(retentionJobId('ret-a', retentionSlot(later)))).toBeNull();
    expect(await ticketIds(key)).toEqual(['IN']);
  });
});

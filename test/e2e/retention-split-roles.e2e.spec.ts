import { randomBytes } from 'node:crypto';
import { RetentionScheduler } from '../../src/modules/retention/retention.scheduler';
import { VectorIndex } from '../../src/modules/search/ports/vector-index.port';
import { ticketFactory } from '../factories/ticket.factory';
import { FakeQdrantServer } from '../fakes/qdrant.fake-server';
import { describeSkippedWithout, missingServices } from '../support/services';
import { waitFor } from '../support/wait-for';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

const DAY = 86_400_000;
const NOW = new Date('2026-01-10T10:20:00.000Z');
const WINDOW_END = new Date(NOW.getTime() - 7 * DAY);
const at = (ms: number) => new Date(ms).toISOString();
const NEEDS = ['DATABASE_URL', 'REDIS_URL', 'QUEUE_REDIS_URL'];

/**
 * Retention as deployed: an API instance takes the policy and serves search, a worker instance (another
 * application on the same PostgreSQL, Redis, queue and Qdrant) ticks and runs the job. What the worker deletes is
 * gone from the API's reads and its cached search at once, and from the vectors once the purge ran.
 */
if (missingServices(...NEEDS).length > 0) describeSkippedWithout('retention on split roles', NEEDS);
else
  describe('retention on split roles (postgres, Redis, Bull, Qdrant double)', () => {
    let qdrant: FakeQdrantServer;
    let api: TestApp;
    let worker: TestApp;
    let key: string;

    const inside = ticketFactory({
      ticket_id: 'IN',
      subject: 'Parcel lost in transit, inside the window',
      created_at: at(WINDOW_END.getTime() - DAY),
      updated_at: at(WINDOW_END.getTime() + 1_000),
    });
    const outside = ticketFactory({
      ticket_id: 'OUT',
      subject: 'Parcel lost in transit, outside the window',
      created_at: at(WINDOW_END.getTime() - DAY),
      updated_at: at(WINDOW_END.getTime() - 1_000),
    });
    const searchIds = async () => {
      const res = await api.request({
        method: 'POST',
        url: '/api/v1/search',
        key,
        body: { query: 'parcel lost in transit', data_types: ['tickets'], limit: 20 },
      });
      expect(res.status).toBe(200);
      return (res.body.results as Array<{ id: string }>).map((r) => r.id);
    };

    beforeAll(async () => {
      qdrant = await new FakeQdrantServer().start();
      const shared = { QDRANT_URL: qdrant.url, QUEUE_PREFIX: `ret-${randomBytes(3).toString('hex')}` };
      api = await startTestApp('postgres', { ...shared, APP_ROLE: 'api' });
      // The same schema and Redis prefix as the API: one deployment, two roles.
      worker = await startTestApp('postgres', {
        ...shared,
        APP_ROLE: 'worker',
        DATABASE_SCHEMA: (api.config.database as { schema: string }).schema,
        REDIS_KEY_PREFIX: api.config.redis.keyPrefix,
      });
      key = await api.createCompany('split-ret');
      const put = await api.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key,
        body: { tickets: [inside, outside] },
      });
      expect(put.status).toBe(200);
      await waitFor(async () => (await searchIds()).includes('OUT'), 60_000);
    }, 120_000);
    afterAll(async () => {
      await worker?.close();
      await api?.close();
      await qdrant?.stop();
    });

    it('the worker runs the schedule; what it deletes is gone from the API at once and from the vectors after the purge', async () => {
      expect(() => api.app.get(RetentionScheduler)).toThrow();
      // Cached on the API before the run: the cached result must not be served afterwards.
      expect(await searchIds()).toEqual(expect.arrayContaining(['IN', 'OUT']));
      const set = await api.request({
        method: 'PUT',
        url: '/api/v1/admin/companies/split-ret/retention',
        key: TEST_ADMIN_KEY,
        body: { tickets_days: 7 },
      });
      expect(set.status).toBe(200);

      await worker.app.get(RetentionScheduler).tick(NOW);
      await waitFor(
        async () => (await api.request({ method: 'GET', url: '/api/v1/tickets/OUT', key })).status === 404,
        60_000,
      );
      expect((await api.request({ method: 'GET', url: '/api/v1/tickets/IN', key })).status).toBe(200);
      const found = await searchIds();
      expect(found).toContain('IN');
      expect(found).not.toContain('OUT');
      const vectors = api.app.get(VectorIndex);
      await waitFor(
        async () => (await vectors.count({ companyId: 'split-ret', type: 'ticket' })) === 1,
        60_000,
      );
    });
  });

import { randomBytes } from 'node:crypto';
import { NearCacheStore } from '../../src/modules/cache-store/adapters/near-cache.cache-store.adapter';
import { CacheStore } from '../../src/modules/cache-store/ports/cache-store.port';
import { ticketFactory } from '../factories/ticket.factory';
import { describeSkippedWithout } from '../support/services';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const ROUNDS = 12;

/**
 * The near cache (in-process LRU over Redis) across two API instances on one Redis: an instance answers hits
 * from its own memory, and still never serves an entry a change on the other instance made stale once that
 * change's announcement has arrived. Generation copies are kept long here, so only pub/sub can carry it.
 */
if (process.env.REDIS_URL && process.env.DATABASE_URL) {
  describe('near cache across two API instances on one Redis', () => {
    let one: TestApp;
    let two: TestApp;
    let keyOne: string;
    let keyTwo: string;
    const body = { query: 'refund never arrived', limit: 3 };
    const searchOn = (app: TestApp, key: string) =>
      app.request({ method: 'POST', url: '/api/v1/search', key, body });
    const ticket = (round: number) =>
      ticketFactory({
        ticket_id: 'N-REFUND',
        subject: `Refund not received after ${10 + round} days`,
        tags: ['refund'],
      });

    beforeAll(async () => {
      const shared = {
        RECONCILE_INTERVAL_MS: '600000',
        REDIS_KEY_PREFIX: `test-near-${randomBytes(4).toString('hex')}:`,
        CACHE_GENERATION_LOCAL_MS: '600000',
        CACHE_NEAR_TTL_MS: '600000',
        ASSIST_PREFETCH_ENABLED: 'false',
      };
      one = await startTestApp('postgres', shared);
      const database = one.config.database;
      if (database.kind !== 'postgres') throw new Error('the shared database is PostgreSQL');
      // Two serves the same database and Redis; its queues are its own, so every change and bump comes from one.
      two = await startTestApp('postgres', { ...shared, DATABASE_SCHEMA: database.schema });
      keyOne = await one.createCompany('near-co');
      keyTwo = keyOne;
      const put = await one.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key: keyOne,
        body: { tickets: [ticket(0)] },
      });
      expect(put.status).toBe(200);
      await waitFor(async () => {
        const res = await one.request({ method: 'GET', url: '/api/v1/tickets/N-REFUND', key: keyOne });
        return res.body?.index_state === 'indexed';
      });
    }, 90_000);
    afterAll(async () => {
      // Two first: one drops the schema they share.
      await two?.close();
      await one?.close();
    });

    it('answers hits from memory: a cached search is not read from Redis again', async () => {
      await waitFor(async () => (await searchOn(two, keyTwo)).headers['x-cache'] === 'HIT');
      const store = two.app.get(CacheStore);
      expect(store).toBeInstanceOf(NearCacheStore);
      const shared = (store as unknown as { inner: CacheStore }).inner;
      const reads = jest.spyOn(shared, 'getText');
      for (let i = 0; i < 3; i += 1) expect((await searchOn(two, keyTwo)).headers['x-cache']).toBe('HIT');
      expect(reads).not.toHaveBeenCalled();
      reads.mockRestore();
    });

    it('a ticket changed on one instance: the other never serves the entry it made stale once the bump has arrived', async () => {
      const storeOne = one.app.get(CacheStore);
      const storeTwo = two.app.get(CacheStore);
      const arrivals: number[] = [];
      storeTwo.onGenerationsChanged((companyId) => {
        if (companyId === 'near-co') arrivals.push(performance.now());
      });
      const bumps: number[] = [];
      const bump = storeOne.bumpGenerations.bind(storeOne);
      jest.spyOn(storeOne, 'bumpGenerations').mockImplementation(async (companyId, fields) => {
        const generations = await bump(companyId, fields);
        if (companyId === 'near-co') bumps.push(performance.now());
        return generations;
      });

      const delays: number[] = [];
      // Every answer two gives from here on, by when it was asked.
      const served: Array<{ start: number; cache: unknown }> = [];
      const searchTwo = async () => {
        const start = performance.now();
        const res = await searchOn(two, keyTwo);
        served.push({ start, cache: res.headers['x-cache'] });
        return res;
      };
      for (let round = 1; round <= ROUNDS; round += 1) {
        // Two holds the current entry in memory.
        await waitFor(async () => (await searchTwo()).headers['x-cache'] === 'HIT');
        const bumpsBefore = bumps.length;
        const put = one.request({
          method: 'PUT',
          url: '/api/v1/tickets',
          key: keyOne,
          body: { tickets: [ticket(round)] },
        });
        // Two keeps asking until it answers from a fresh computation.
        let missedAt: number | undefined;
        const deadline = Date.now() + 10_000;
        while (missedAt === undefined && Date.now() < deadline) {
          const res = await searchTwo();
          if (res.headers['x-cache'] === 'MISS' && bumps.length > bumpsBefore) missedAt = performance.now();
        }
        expect((await put).status).toBe(200);
        expect(missedAt).toBeDefined();
        delays.push(Math.max(0, missedAt! - bumps[bumpsBefore]));
        // The re-index bumps again; wait for it so the next round starts from a settled index.
        await waitFor(async () => {
          const res = await one.request({ method: 'GET', url: '/api/v1/tickets/N-REFUND', key: keyOne });
          return res.body?.index_state === 'indexed';
        });
        await sleep(200);
      }

      // After each arrival, the first answer two started is a fresh computation, never the old entry.
      for (const arrival of arrivals) {
        const next = served.find(({ start }) => start > arrival);
        if (next) expect(next.cache).toBe('MISS');
      }
      const arrivalDelays = bumps
        .map((at) => arrivals.find((arrival) => arrival >= at - 50))
        .filter((arrival): arrival is number => arrival !== undefined)
        .map((arrival, i) => Math.max(0, arrival - bumps[i]));
      const p99 = percentile(delays, 99);
      process.stdout.write(
        `near cache invalidation across instances (${ROUNDS} ticket changes): bump landed → other instance answers fresh: p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; bump → announcement arrived: p99 ${percentile(arrivalDelays, 99).toFixed(1)} ms\n`,
      );
      expect(p99).toBeLessThan(1_000);
    }, 180_000);

    it('a key revoked on one instance stops answering on the other within 1 s, hits held in memory included', async () => {
      const admin = (method: 'POST' | 'DELETE', url: string) =>
        one.request({ method, url, key: TEST_ADMIN_KEY });
      const issued = await admin('POST', '/api/v1/admin/companies/near-co/api-keys');
      const key = issued.body.api_key as string;
      await waitFor(async () => (await searchOn(two, key)).headers['x-cache'] === 'HIT');
      const revoked = await admin('DELETE', `/api/v1/admin/companies/near-co/api-keys/${issued.body.key_id}`);
      expect(revoked.status).toBe(200);
      const revokedAt = performance.now();
      // Every request two starts 1 s or more after the revocation is refused.
      const answers: Array<{ after: number; status: number }> = [];
      while (performance.now() - revokedAt < 1_500) {
        const after = performance.now() - revokedAt;
        answers.push({ after, status: (await searchOn(two, key)).status });
        await sleep(10);
      }
      const late = answers.filter(({ after }) => after >= 1_000);
      expect(late.length).toBeGreaterThan(0);
      expect(late.every(({ status }) => status === 401)).toBe(true);
      const refused = answers.find(({ status }) => status === 401);
      process.stdout.write(
        `revocation reached the other instance: first refused request started ${refused?.after.toFixed(0)} ms after it\n`,
      );
      expect((await searchOn(one, key)).status).toBe(401);
    }, 30_000);
  });
} else {
  describeSkippedWithout('near cache across two API instances on one Redis', ['REDIS_URL', 'DATABASE_URL']);
}

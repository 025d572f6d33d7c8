import { ticketFactory } from '../factories/ticket.factory';
import { startTestApp, TestApp } from '../setup/test-app';
import { describeSkippedWithout, missingServices } from '../support/services';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * A Redis that hangs instead of refusing, in front of the machine's Redis (never stopped itself): a TCP proxy
 * that stops forwarding (a SIGSTOPped server), then either resumes (SIGCONT) or leaves every connection it held
 * hanging for good while new ones work (a failover or partition the old sockets never hear about). The cache and
 * the queue each get their own proxy. While frozen, a cache-miss request answers within its budget; after the
 * freeze the API serves from the cache again within 5 s and the workers take jobs again within 10 s.
 */
const needs = ['REDIS_URL', 'QUEUE_REDIS_URL'];
const FREEZE_MS = 6_000;

if (missingServices(...needs).length > 0) {
  describeSkippedWithout('frozen Redis', needs);
} else {
  describe('frozen Redis (cache and queue behind TCP proxies)', () => {
    let cacheProxy: TcpProxy;
    let queueProxy: TcpProxy;
    let t: TestApp;
    let key: string;
    let written = 0;
    const search = (query: string) =>
      t.request({ method: 'POST', url: '/api/v1/search', key, body: { query, limit: 3 } });
    const ticketState = async (id: string) =>
      (await t.request({ method: 'GET', url: `/api/v1/tickets/${id}`, key })).body?.index_state as string | undefined;

    /** ms until `check` holds, polling every 100 ms; fails the test past `limitMs` (plus a margin to report). */
    async function msUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
      const started = Date.now();
      while (!(await check())) {
        if (Date.now() - started > limitMs * 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return Date.now() - started;
    }

    async function writeAndTimeIndexing(): Promise<number> {
      const id = `FRZ-${written++}`;
      const started = Date.now();
      for (;;) {
        const put = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [ticketFactory({ ticket_id: id })] } });
        if (put.status === 200) break;
        if (Date.now() - started > 30_000) throw new Error(`write refused: ${put.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await msUntil(async () => (await ticketState(id)) === 'indexed', 10_000);
      return Date.now() - started;
    }

    beforeAll(async () => {
      const host = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port || 6379) });
      cacheProxy = await TcpProxy.start(host(process.env.REDIS_URL!));
      queueProxy = await TcpProxy.start(host(process.env.QUEUE_REDIS_URL!));
      t = await startTestApp('sqlite', {
        REDIS_URL: cacheProxy.rewrite(process.env.REDIS_URL!),
        QUEUE_REDIS_URL: queueProxy.rewrite(process.env.QUEUE_REDIS_URL!),
        RECONCILE_INTERVAL_MS: '600000',
        // The production budgets this test is about (the harness raises them for SQLite over Redis).
        REDIS_COMMAND_TIMEOUT_MS: '250',
        CACHE_OP_TIMEOUT_MS: '50',
        CACHE_STATE_TIMEOUT_MS: '500',
      });
      key = await t.createCompany('frozen');
      expect(await writeAndTimeIndexing()).toBeLessThan(30_000);
    }, 60_000);

    afterAll(async () => {
      cacheProxy?.resume();
      queueProxy?.resume();
      await t?.close();
      await cacheProxy?.close();
      await queueProxy?.close();
    });

    for (const ending of ['resumed', 'abandoned'] as const) {
      it(`frozen ${FREEZE_MS / 1000} s then ${ending}: cache misses answer within budget, then cache and workers recover`, async () => {
        // Stored once the last write's invalidation has settled.
        await msUntil(async () => (await search(`warm ${ending}`)).headers['x-cache'] === 'HIT', 5_000);
        expect((await search(`warm ${ending}`)).headers['x-cache']).toBe('HIT');

        cacheProxy.freeze();
        queueProxy.freeze();
        const frozenAt = Date.now();
        const during: Array<{ status: number; ms: number }> = [];
        for (let i = 0; Date.now() - frozenAt < FREEZE_MS; i++) {
          const started = Date.now();
          const res = await search(`miss ${ending} ${i}`);
          during.push({ status: res.status, ms: Date.now() - started });
        }
        if (ending === 'resumed') {
          cacheProxy.resume();
          queueProxy.resume();
        } else {
          cacheProxy.abandon();
          queueProxy.abandon();
        }

        expect(during.length).toBeGreaterThan(0);
        for (const answer of during) {
          expect(answer.status).toBe(200);
          expect(answer.ms).toBeLessThanOrEqual(2_000); // the search budget
        }
        const cacheMs = await msUntil(async () => (await search(`warm ${ending}`)).headers['x-cache'] === 'HIT', 5_000);
        expect(cacheMs).toBeLessThanOrEqual(5_000);
        expect(await writeAndTimeIndexing()).toBeLessThanOrEqual(10_000);
      }, 90_000);
    }
  });
}

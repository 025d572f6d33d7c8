import { connect, createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { cacheKey } from '../../src/modules/cache/domain/cache-keys';
import { CacheStore } from '../../src/modules/cache-store/ports/cache-store.port';
import { LayeredCache } from '../../src/modules/cache/ports/layered-cache.port';
import { TicketIndexedEvents } from '../../src/modules/events/ticket-indexed.events';
import { ticketFactory } from '../factories/ticket.factory';
import { DbTarget, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

interface Mode {
  name: string;
  target: DbTarget;
  env: Record<string, string>;
}

/** Embedded (memory store) always; services mode (Redis store) when the suite has a Redis. */
const modes: Mode[] = [{ name: 'embedded', target: 'sqlite', env: { REDIS_URL: '', QUEUE_REDIS_URL: '' } }];
if (process.env.REDIS_URL) {
  modes.push({ name: 'services', target: process.env.DATABASE_URL ? 'postgres' : 'sqlite', env: {} });
}

const CACHE_ENV = {
  RECONCILE_INTERVAL_MS: '600000',
  CACHE_TTL_SESSION_MS: '1000',
  CACHE_TTL_API_MS: '600',
  CACHE_STATS_FLUSH_MS: '100',
};

function corpus(p: string) {
  return [
    ticketFactory({
      ticket_id: `${p}-REFUND`,
      subject: 'Refund not received after 10 days',
      tags: ['refund'],
    }),
    ticketFactory({
      ticket_id: `${p}-LOGIN`,
      subject: 'Cannot log in after password reset',
      description: 'The reset link worked, but the new password is rejected every time I try to sign in.',
      tags: ['login'],
      conversations: [],
    }),
    ticketFactory({
      ticket_id: `${p}-SHIP`,
      subject: 'Package arrived damaged',
      description: 'The box was crushed in transit and the ceramic mug inside is broken.',
      tags: ['shipping'],
      conversations: [],
    }),
  ];
}

/**
 * When each ticket's indexed chunk was announced, per app. Indexing marks rows indexed and then announces them;
 * the announcement bumps the company's search generations (CacheInvalidationListener, subscribed first, so its
 * bump has landed when this listener runs). A test that searched in between would see its entries invalidated.
 */
const announced = new WeakMap<TestApp, Map<string, number>>();

function listenForIndexed(t: TestApp): Map<string, number> {
  let seen = announced.get(t);
  if (!seen) {
    const map = new Map<string, number>();
    // By id: the ticket ids of this file's companies never repeat within one app.
    t.app.get(TicketIndexedEvents).subscribeDocuments(({ ids }) => {
      for (const id of ids) map.set(id, Date.now());
    });
    announced.set(t, map);
    seen = map;
  }
  return seen;
}

async function seed(t: TestApp, key: string, prefix: string): Promise<void> {
  listenForIndexed(t);
  const tickets = corpus(prefix);
  const put = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
  expect(put.status).toBe(200);
  await waitIndexed(
    t,
    key,
    tickets.map((ticket) => ticket.ticket_id),
  );
}

/** Indexed, and the indexing announced (its invalidation has landed): searches from here on are not invalidated by it. */
async function waitIndexed(t: TestApp, key: string, ids: string[]): Promise<void> {
  const seen = listenForIndexed(t);
  for (const id of ids) {
    await waitFor(async () => {
      const res = await t.request({ method: 'GET', url: `/api/v1/tickets/${id}`, key });
      if (res.body?.index_state !== 'indexed') return false;
      const at = seen.get(id);
      return at !== undefined && at >= Date.parse(res.body.indexed_at);
    });
  }
}

describe.each(modes)('cache ($name)', ({ target, env }) => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  const search = (key: string, body: unknown, headers?: Record<string, string>) =>
    t.request({ method: 'POST', url: '/api/v1/search', key, body, headers });
  const admin = (method: 'GET' | 'DELETE', url: string) => t.request({ method, url, key: TEST_ADMIN_KEY });

  beforeAll(async () => {
    t = await startTestApp(target, { ...CACHE_ENV, ...env });
    keyA = await t.createCompany('cache-a');
    keyB = await t.createCompany('cache-b');
    await seed(t, keyA, 'A');
    await seed(t, keyB, 'B');
  }, 90_000);
  afterAll(() => t.close());

  it('caches POST /search per company: MISS, then HIT with cached: true; same query for another company is its own entry', async () => {
    const body = { query: 'my refund never arrived', data_types: ['tickets'], limit: 3 };
    const first = await search(keyA, body);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body.cached).toBe(false);
    expect(first.body.results[0].id).toBe('A-REFUND');

    const second = await search(keyA, {
      limit: 3,
      data_types: ['tickets'],
      query: 'my refund never arrived',
    });
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual({ ...first.body, cached: true });

    const other = await search(keyB, body);
    expect(other.headers['x-cache']).toBe('MISS');
    expect(
      other.body.results.map((r: { id: string }) => r.id).every((id: string) => id.startsWith('B-')),
    ).toBe(true);
    expect((await search(keyB, body)).headers['x-cache']).toBe('HIT');

    const statsA = await admin('GET', '/api/v1/admin/cache/stats?company_id=cache-a');
    const statsB = await admin('GET', '/api/v1/admin/cache/stats?company_id=cache-b');
    expect(statsA.body.key_distribution.vector).toBeGreaterThanOrEqual(1);
    expect(statsB.body.key_distribution.vector).toBeGreaterThanOrEqual(1);
  });

  it('a MISS of a @Cached route reads the stored response once (the fast path hands its miss to the interceptor)', async () => {
    const store = t.app.get(CacheStore);
    const reads = jest.spyOn(store, 'getText');
    try {
      const miss = await search(keyA, { query: 'read the store once on a miss', limit: 2 });
      expect(miss.headers['x-cache']).toBe('MISS');
      expect(reads).toHaveBeenCalledTimes(1);
      reads.mockClear();
      const hit = await search(keyA, { query: 'read the store once on a miss', limit: 2 });
      expect(hit.headers['x-cache']).toBe('HIT');
      // One read at most: none when the entry is held in process (the near cache, services mode).
      expect(reads.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      reads.mockRestore();
    }
  });

  it("company B can never read A's entry: a body naming A is refused, and B's own request misses first", async () => {
    const body = { query: 'package crushed in transit', data_types: ['tickets'] };
    expect((await search(keyA, body)).headers['x-cache']).toBe('MISS');
    const spoof = await search(keyB, { ...body, company_id: 'cache-a' });
    expect(spoof.status).toBe(403);
    const own = await search(keyB, body);
    expect(own.headers['x-cache']).toBe('MISS');
    expect(own.body.results[0].id).toBe('B-SHIP');
    // company_id equal to the key's company neither leaks nor splits entries.
    const same = await search(keyB, { ...body, company_id: 'cache-b' });
    expect(same.headers['x-cache']).toBe('HIT');
    expect(same.body.results[0].id).toBe('B-SHIP');
  });

  it('Cache-Control: no-cache skips the read and refreshes; no-store does not write', async () => {
    const body = { query: 'password rejected at sign in', limit: 2 };
    expect((await search(keyA, body)).headers['x-cache']).toBe('MISS');
    expect((await search(keyA, body)).headers['x-cache']).toBe('HIT');
    expect((await search(keyA, body, { 'cache-control': 'no-cache' })).headers['x-cache']).toBe('MISS');
    expect((await search(keyA, body)).headers['x-cache']).toBe('HIT');

    const fresh = { query: 'password rejected at sign in', limit: 4 };
    expect((await search(keyA, fresh, { 'cache-control': 'no-store' })).headers['x-cache']).toBe('MISS');
    expect((await search(keyA, fresh)).headers['x-cache']).toBe('MISS');
    expect((await search(keyA, fresh)).headers['x-cache']).toBe('HIT');
  });

  it('DELETE /admin/cache/{company_id} invalidates with counts; the next search is a MISS; only that company', async () => {
    const body = { query: 'refund status please', limit: 5 };
    await search(keyA, body);
    await search(keyB, body);
    expect((await search(keyA, body)).headers['x-cache']).toBe('HIT');

    const res = await admin('DELETE', '/api/v1/admin/cache/cache-a?types=vector,llm');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.invalidated).sort()).toEqual(['llm', 'vector']);
    expect(res.body.invalidated.vector).toBeGreaterThanOrEqual(1);
    expect((await search(keyA, body)).headers['x-cache']).toBe('MISS');
    expect((await search(keyA, body)).headers['x-cache']).toBe('HIT');
    expect((await search(keyB, body)).headers['x-cache']).toBe('HIT');

    const all = await admin('DELETE', '/api/v1/admin/cache/cache-b');
    expect(Object.keys(all.body.invalidated).sort()).toEqual(['api', 'llm', 'prefs', 'session', 'vector']);
    expect((await search(keyB, body)).headers['x-cache']).toBe('MISS');
  });

  it('validates the admin cache routes and keeps them admin-only', async () => {
    const badType = await admin('DELETE', '/api/v1/admin/cache/cache-a?types=vector,bogus');
    expect(badType.status).toBe(400);
    expect(badType.text).toContain('types');
    const badCompany = await admin('DELETE', '/api/v1/admin/cache/Not%20A%20Company');
    expect(badCompany.status).toBe(400);
    expect(badCompany.text).toContain('company_id');
    expect((await admin('GET', '/api/v1/admin/cache/stats?company_id=no!')).status).toBe(400);
    expect(
      (await t.request({ method: 'DELETE', url: '/api/v1/admin/cache/cache-a', key: keyA })).status,
    ).toBe(403);
    expect((await t.request({ method: 'GET', url: '/api/v1/admin/cache/stats', key: keyA })).status).toBe(
      403,
    );
    expect((await t.request({ method: 'GET', url: '/api/v1/admin/cache/stats' })).status).toBe(401);
  });

  it('a changed ticket makes the next search a MISS, and again once the change is indexed', async () => {
    const body = { query: 'mug broken in the box', data_types: ['tickets'], limit: 3 };
    await search(keyA, body);
    expect((await search(keyA, body)).headers['x-cache']).toBe('HIT');

    const changed = corpus('A')[2];
    const put = await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key: keyA,
      body: { tickets: [{ ...changed, status: 'resolved', updated_at: '2024-06-01T00:00:00Z' }] },
    });
    expect(put.body).toEqual({ upserted: 1, unchanged: 0 });
    // The bump is in place before the upsert answers.
    expect((await search(keyA, body)).headers['x-cache']).toBe('MISS');
    await waitIndexed(t, keyA, [changed.ticket_id]);
    await waitFor(
      async () =>
        (await search(keyA, body)).body.results.find((r: { id: string }) => r.id === 'A-SHIP')?.status ===
        'resolved',
      5_000,
    );
    // The indexed bump may land just after the new status shows; once it has, the entry is cached again.
    await waitFor(async () => (await search(keyA, body)).headers['x-cache'] === 'HIT', 5_000);
    // The other company's entries are untouched.
    const b = { query: 'mug broken in the box', data_types: ['tickets'] };
    await search(keyB, b);
    expect((await search(keyB, b)).headers['x-cache']).toBe('HIT');
  });

  it('a changed ticket’s next /init and summary are fresh (content-addressed keys) and the next search is a MISS', async () => {
    const init = () =>
      t.request({ method: 'POST', url: '/api/v1/init', key: keyA, body: { ticket_id: 'A-LOGIN' } });
    const body = { query: 'password rejected after reset', data_types: ['tickets'], limit: 3 };
    const before = await init();
    expect(before.status).toBe(200);
    await waitFor(async () => (await init()).headers['x-cache'] === 'HIT', 10_000);
    await search(keyA, body);
    expect((await search(keyA, body)).headers['x-cache']).toBe('HIT');

    const login = corpus('A')[1];
    const description =
      'Two-factor codes from the authenticator app are refused as expired on every attempt.';
    const put = await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key: keyA,
      body: { tickets: [{ ...login, description, priority: 'urgent', updated_at: '2024-06-02T00:00:00Z' }] },
    });
    expect(put.body).toEqual({ upserted: 1, unchanged: 0 });
    // Nothing deleted the old bundle: its key names the old content, so the changed ticket cannot reach it.
    // (The answer may be a HIT already: indexing the change prefetches the new version's bundle.)
    const after = await init();
    expect(after.status).toBe(200);
    expect(after.body.ticket).toMatchObject({ ticket_id: 'A-LOGIN', priority: 'urgent' });
    expect(after.body.summary).not.toBe(before.body.summary);
    expect(after.body.summary).toContain('authenticator');
    expect((await search(keyA, body)).headers['x-cache']).toBe('MISS');
    await waitIndexed(t, keyA, [login.ticket_id]);
  });

  it('applies per-layer TTLs and slides sessions on each read', async () => {
    const cache = t.app.get(LayeredCache);
    const api = cacheKey({
      layer: 'api',
      companyId: 'cache-a',
      kind: 'init',
      input: { ticket_id: 'A-REFUND' },
    });
    const session = cacheKey({
      layer: 'session',
      companyId: 'cache-a',
      kind: 'session',
      input: { id: 's-1' },
    });
    // A kind no data change bumps: an earlier test's ticket change may still be announcing its indexing.
    const llm = cacheKey({ layer: 'llm', companyId: 'cache-a', kind: 'summary', input: 'ttl' });
    await cache.set(api, { bundle: 1 });
    await cache.set(session, { ticket_id: 'A-REFUND' });
    await cache.set(llm, 'answer');
    // Sessions (1 s) outlive the API layer (600 ms) as long as they are read.
    for (let i = 0; i < 4; i += 1) {
      await sleep(400);
      expect(await cache.getAndTouch(session)).toEqual({ ticket_id: 'A-REFUND' });
    }
    expect(await cache.get(api)).toBeUndefined();
    expect(await cache.get(llm)).toBe('answer');
    await sleep(1_300);
    expect(await cache.getAndTouch(session)).toBeUndefined();
  });

  it('reports stats per API.md', async () => {
    const res = await admin('GET', '/api/v1/admin/cache/stats');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      total_keys: expect.any(Number),
      memory_usage_mb: expect.any(Number),
      hit_ratio: expect.any(Number),
      hit_ratio_by_type: { vector: expect.any(Number) },
      key_distribution: {
        llm: expect.any(Number),
        vector: expect.any(Number),
        session: expect.any(Number),
        api: expect.any(Number),
        prefs: expect.any(Number),
      },
      connected_clients: expect.any(Number),
    });
    expect(res.body.hit_ratio).toBeGreaterThan(0);
    expect(res.body.hit_ratio).toBeLessThan(1);
    expect(res.body.total_keys).toBe(
      Object.values(res.body.key_distribution as Record<string, number>).reduce((a, b) => a + b, 0),
    );
    expect(res.body.connected_clients).toBeGreaterThanOrEqual(1);
    const ready = await t.request({ method: 'GET', url: '/health/ready' });
    expect(ready.body.info.cache).toMatchObject({ status: 'up', state: 'up' });
  });
});

describe.each(modes)('cached hits keep auth and the rate limit ($name)', ({ target, env }) => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('a HIT needs a valid key, refuses a foreign company_id, validates bad input and counts against the limit', async () => {
    t = await startTestApp(target, { ...CACHE_ENV, ...env, RATE_LIMIT_PER_MINUTE: '6' });
    const key = await t.createCompany('fast-a');
    await t.createCompany('fast-b');
    const body = { query: 'printer offline again', limit: 3 };
    const search = (b: unknown, k?: string) =>
      t.request({ method: 'POST', url: '/api/v1/search', key: k, body: b });

    const first = await search(body, key);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const hit = await search(body, key);
    expect({ status: hit.status, cache: hit.headers['x-cache'], cached: hit.body.cached }).toEqual({
      status: 200,
      cache: 'HIT',
      cached: true,
    });
    expect(hit.body.results).toEqual(first.body.results);
    expect(hit.headers['content-type']).toMatch(/^application\/json/);
    expect(hit.headers['x-ratelimit-remaining']).toBe('4');
    expect(hit.headers['x-request-id']).toBeDefined();

    // Refused before the limit counts: no key, an unknown key, another company's id.
    expect((await search(body)).status).toBe(401);
    expect((await search(body, `sc_00000000_${'A'.repeat(43)}`)).status).toBe(401);
    const foreign = await search({ ...body, company_id: 'fast-b' }, key);
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toMatch(/company_id/);
    // Bad input is never answered from cache: a 400 naming the field (it counts, as on the regular path).
    const bad = await search({ ...body, limit: 'three' }, key);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^limit /)]));

    // A revoked key stops answering at once, hits included.
    const admin = (method: 'POST' | 'DELETE', url: string) => t.request({ method, url, key: TEST_ADMIN_KEY });
    const issued = await admin('POST', '/api/v1/admin/companies/fast-a/api-keys');
    expect((await search(body, issued.body.api_key)).headers['x-cache']).toBe('HIT');
    expect(
      (await admin('DELETE', `/api/v1/admin/companies/fast-a/api-keys/${issued.body.key_id}`)).status,
    ).toBe(200);
    expect((await search(body, issued.body.api_key)).status).toBe(401);

    expect((await search(body, key)).headers['x-cache']).toBe('HIT');
    expect((await search(body, key)).headers['x-cache']).toBe('HIT');
    const limited = await search(body, key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });
});

// Only with a Redis: this is about several instances sharing it (no skipped tests: the suite is not declared).
if (process.env.REDIS_URL) {
  describe('cache across two API instances on one Redis', () => {
    let one: TestApp;
    let two: TestApp;
    let keyOne: string;
    let keyTwo: string;
    const target: DbTarget = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
    const body = { query: 'refund never arrived', limit: 3 };
    const searchOn = (app: TestApp, key: string) =>
      app.request({ method: 'POST', url: '/api/v1/search', key, body });

    beforeAll(async () => {
      const shared = {
        ...CACHE_ENV,
        REDIS_KEY_PREFIX: `test-shared-${randomBytes(4).toString('hex')}:`,
        // Long local copies of the generations: only pub/sub can carry an invalidation in time.
        CACHE_GENERATION_LOCAL_MS: '600000',
      };
      one = await startTestApp(target, shared);
      two = await startTestApp(target, shared);
      keyOne = await one.createCompany('shared-co');
      keyTwo = await two.createCompany('shared-co');
      await seed(one, keyOne, 'S');
      await seed(two, keyTwo, 'S');
    }, 90_000);
    afterAll(async () => {
      await one?.close();
      await two?.close();
    });

    it('shares entries and adds up the stats of both instances', async () => {
      // A company without tickets: nothing in the background (indexing, prefetch) searches for it meanwhile.
      const quietOne = await one.createCompany('quiet-co');
      const quietTwo = await two.createCompany('quiet-co');
      const lookups = async () => {
        const stats = await one.request({
          method: 'GET',
          url: '/api/v1/admin/cache/stats?company_id=quiet-co',
          key: TEST_ADMIN_KEY,
        });
        return stats.body.lookups.vector ?? { hits: 0, misses: 0, stale: 0 };
      };
      expect((await searchOn(one, quietOne)).headers['x-cache']).toBe('MISS');
      for (let i = 0; i < 4; i += 1) expect((await searchOn(two, quietTwo)).headers['x-cache']).toBe('HIT');
      await waitFor(async () => {
        const after = await lookups();
        return after.hits === 4 && after.misses === 1;
      }, 3_000);
    });

    it('an invalidation on one instance reaches the other within 1 s (pub/sub)', async () => {
      await searchOn(two, keyTwo);
      expect((await searchOn(two, keyTwo)).headers['x-cache']).toBe('HIT');
      const res = await one.request({
        method: 'DELETE',
        url: '/api/v1/admin/cache/shared-co?types=vector',
        key: TEST_ADMIN_KEY,
      });
      expect(res.body.invalidated.vector).toBeGreaterThanOrEqual(1);
      await sleep(500);
      expect((await searchOn(two, keyTwo)).headers['x-cache']).toBe('MISS');
      expect((await searchOn(one, keyOne)).headers['x-cache']).toBe('HIT');
    });
  });
}

/** A TCP server that accepts connections and never answers: a hung Redis. */
function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, sockets }),
    ),
  );
}

describe.each([
  ['nothing listens on the Redis port', 'refused'],
  ['Redis accepts connections and never answers', 'silent'],
])('cache fails open: %s', (_label, kind) => {
  let t: TestApp;
  let silent: Awaited<ReturnType<typeof silentServer>> | undefined;

  beforeAll(async () => {
    let port: number;
    if (kind === 'silent') {
      silent = await silentServer();
      port = silent.port;
    } else {
      // Port 1 (tcpmux) is privileged and unused: a refused connection, with no race for a freed port.
      port = 1;
    }
    t = await startTestApp('sqlite', {
      ...CACHE_ENV,
      REDIS_URL: `redis://127.0.0.1:${port}/0`,
      // The queue keeps a working Redis when the suite has one; otherwise it shares the dead one too.
      QUEUE_REDIS_URL: process.env.QUEUE_REDIS_URL ?? '',
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    for (const socket of silent?.sockets ?? []) socket.destroy();
    silent?.server.close();
  });

  it('every request still succeeds within 1 s', async () => {
    const timed = async (input: Parameters<TestApp['request']>[0]) => {
      const started = Date.now();
      const res = await t.request(input);
      expect(Date.now() - started).toBeLessThan(1_000);
      return res;
    };
    const created = await timed({
      method: 'POST',
      url: '/api/v1/admin/companies',
      key: TEST_ADMIN_KEY,
      body: { company_id: 'fail-open', name: 'Fail Open' },
    });
    expect(created.status).toBe(201);
    const key = created.body.api_key as string;
    // Without a queue Redis of its own, the queue shares the dead one and bounds its enqueue at 1 s (not the cache).
    const put = await (process.env.QUEUE_REDIS_URL ? timed : t.request)({
      method: 'PUT',
      url: '/api/v1/tickets',
      key,
      body: { tickets: corpus('F') },
    });
    expect(put.status).toBe(200);
    for (let i = 0; i < 8; i += 1) {
      const res = await timed({
        method: 'POST',
        url: '/api/v1/search',
        key,
        body: { query: 'refund', limit: 3 },
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-cache']).toBe('MISS');
      expect(res.body.cached).toBe(false);
    }
    expect((await timed({ method: 'GET', url: '/api/v1/tickets/F-REFUND', key })).status).toBe(200);
    // Sessions are state in the database, not in the cache Redis: a dead cache takes nothing from them.
    const init = await timed({ method: 'POST', url: '/api/v1/init', key, body: { ticket_id: 'F-REFUND' } });
    expect(init.status).toBe(200);
    expect(init.body.degraded ?? []).not.toContain('session');
    const followUp = await timed({
      method: 'POST',
      url: '/api/v1/query',
      key,
      body: { query: 'refund', session_id: init.body.session_id },
    });
    expect(followUp.status).toBe(200);
    expect(followUp.body.session_id).toBe(init.body.session_id);
    expect(followUp.body.degraded ?? []).not.toContain('session');
    expect(
      (await timed({ method: 'POST', url: '/api/v1/query', key, body: { query: 'refund' } })).status,
    ).toBe(200);
    const ready = await timed({ method: 'GET', url: '/health/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body.info.cache).toMatchObject({ status: 'up', state: 'degraded' });
    const invalidate = await timed({
      method: 'DELETE',
      url: '/api/v1/admin/cache/fail-open',
      key: TEST_ADMIN_KEY,
    });
    expect(invalidate.status).toBe(503);
  });
});

/** A TCP proxy to the real Redis that can be switched off (connections dropped and refused) and on again. */
function switchableProxy(target: URL): Promise<{ port: number; setUp(up: boolean): void; close(): void }> {
  let up = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer((client) => {
    track(client);
    if (!up) return void client.destroy();
    const upstream = connect(Number(target.port || 6379), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        setUp(next: boolean) {
          up = next;
          if (!next) for (const socket of sockets) socket.destroy();
        },
        close() {
          for (const socket of sockets) socket.destroy();
          server.close();
        },
      }),
    ),
  );
}

if (process.env.REDIS_URL) {
  describe('cache resumes by itself when Redis comes back', () => {
    let t: TestApp;
    let proxy: Awaited<ReturnType<typeof switchableProxy>>;

    beforeAll(async () => {
      const redis = new URL(process.env.REDIS_URL as string);
      proxy = await switchableProxy(redis);
      t = await startTestApp('sqlite', {
        ...CACHE_ENV,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}${redis.pathname}`,
        QUEUE_REDIS_URL: process.env.QUEUE_REDIS_URL ?? '',
        CACHE_BREAKER_HALF_OPEN_MS: '200',
        CACHE_NEAR_TTL_MS: '300',
      });
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      proxy?.close();
    });

    it('misses while Redis is away, then caches again without a restart', async () => {
      const key = await t.createCompany('resume-co');
      const body = { query: 'refund', limit: 2 };
      const search = () => t.request({ method: 'POST', url: '/api/v1/search', key, body });
      for (let i = 0; i < 3; i += 1) {
        const res = await search();
        expect(res.status).toBe(200);
        expect(res.headers['x-cache']).toBe('MISS');
      }
      proxy.setUp(true);
      await waitFor(async () => (await search()).headers['x-cache'] === 'HIT', 15_000);
      proxy.setUp(false);
      // The near cache drops what it holds once its subscriber sees the drop, and keeps nothing past its TTL.
      await sleep(400);
      const down = await search();
      expect(down.status).toBe(200);
      expect(down.headers['x-cache']).toBe('MISS');
    }, 30_000);

    it('a ticket changed while Redis was away is never answered from an entry cached before the change', async () => {
      proxy.setUp(true);
      const key = await t.createCompany('owed-co');
      await seed(t, key, 'O');
      const body = { query: 'mug broken in the box', data_types: ['tickets'], limit: 3 };
      const search = () => t.request({ method: 'POST', url: '/api/v1/search', key, body });
      const statusOf = (res: { body: { results: Array<{ id: string; status: string }> } }) =>
        res.body.results.find((r) => r.id === 'O-SHIP')?.status;
      await waitFor(async () => (await search()).headers['x-cache'] === 'HIT', 15_000);
      expect(statusOf(await search())).toBe('open');

      // Redis is unreachable from this instance (its entries survive): the change's invalidation cannot land.
      proxy.setUp(false);
      const changed = corpus('O')[2];
      const put = await t.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key,
        body: { tickets: [{ ...changed, status: 'resolved', updated_at: '2024-06-01T00:00:00Z' }] },
      });
      expect(put.body).toEqual({ upserted: 1, unchanged: 0 });
      await waitIndexed(t, key, [changed.ticket_id]);

      // Back: the entry of the old generation is still in Redis, but it is never served.
      proxy.setUp(true);
      const seen: Array<string | undefined> = [];
      await waitFor(async () => {
        const res = await search();
        seen.push(`${res.headers['x-cache']} ${statusOf(res)}`);
        return res.headers['x-cache'] === 'HIT';
      }, 15_000);
      expect(seen.filter((s) => !s?.endsWith('resolved'))).toEqual([]);
    }, 60_000);
  });
}

import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../src/config/config';
import { MemoryPopularityStore } from '../../../src/modules/warming/adapters/memory.popularity-store.adapter';
import { MemoryWarmLock } from '../../../src/modules/warming/adapters/memory.warm-lock.adapter';
import { RedisPopularityStore } from '../../../src/modules/warming/adapters/redis.popularity-store.adapter';
import { RedisWarmLock } from '../../../src/modules/warming/adapters/redis.warm-lock.adapter';
import { CacheWarmer } from '../../../src/modules/warming/cache-warmer.service';
import { PopularityStore } from '../../../src/modules/warming/ports/popularity-store.port';
import { WarmLock } from '../../../src/modules/warming/ports/warm-lock.port';
import {
  POPULARITY_FLUSH_MS,
  QueryPopularity,
} from '../../../src/modules/warming/query-popularity.service';
import { MetricsService } from '../../../src/modules/metrics/metrics.service';

const HOUR = 3_600_000;

interface Backend {
  name: string;
  popularity: () => PopularityStore;
  lock: () => WarmLock;
}

const backends: Backend[] = [
  { name: 'memory', popularity: () => new MemoryPopularityStore(), lock: () => new MemoryWarmLock() },
];
let redis: Redis | undefined;
const prefixes: string[] = [];
if (process.env.REDIS_URL) {
  const prefix = () => {
    const value = `test-pop-${process.pid}-${randomBytes(3).toString('hex')}:`;
    prefixes.push(value);
    return value;
  };
  backends.push({
    name: 'redis',
    popularity: () => new RedisPopularityStore(redis!, prefix()),
    lock: () => new RedisWarmLock(redis!, prefix()),
  });
}

beforeAll(() => {
  if (process.env.REDIS_URL)
    redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: true, commandTimeout: 1_000 });
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis!.keys(`${prefix}*`);
    if (keys.length > 0) await redis!.unlink(...keys);
  }
  await redis?.quit();
});

function popularityService(
  store: PopularityStore,
  overrides: { maxEntries?: number; halfLifeMs?: number } = {},
) {
  const config = loadConfig({});
  config.semanticCache.popularity = { ...config.semanticCache.popularity, timeoutMs: 1_000, ...overrides };
  return { config, popularity: new QueryPopularity(store, config) };
}

describe.each(backends)('popularity and warm lock ($name)', (backend) => {
  afterEach(() => jest.useRealTimers());

  it('ranks by use count, per company', async () => {
    const { popularity } = popularityService(backend.popularity());
    for (let i = 0; i < 3; i++)
      await popularity.record({ companyId: 'acme', kind: 'search', request: { query: 'refund' } });
    await popularity.record({ companyId: 'acme', kind: 'query', request: { query: 'shipping' } });
    await popularity.record({ companyId: 'other', kind: 'search', request: { query: 'only other' } });
    const top = await popularity.top('acme', 10);
    expect(top.map((p) => [p.kind, p.request.query])).toEqual([
      ['search', 'refund'],
      ['query', 'shipping'],
    ]);
    expect(top[0].score).toBeGreaterThan(top[1].score);
  });

  it('writes the counts of a flush window in one batch, by itself within the window and at shutdown', async () => {
    const store = backend.popularity();
    const batches: number[] = [];
    const increment = store.increment.bind(store);
    store.increment = (input) => {
      batches.push(input.increments.length);
      return increment(input);
    };
    const { popularity } = popularityService(store);
    for (let i = 0; i < 30; i++)
      await popularity.record({ companyId: 'acme', kind: 'search', request: { query: `q${i % 3}` } });
    await popularity.record({ companyId: 'other', kind: 'query', request: { query: 'x' } });
    expect(batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, POPULARITY_FLUSH_MS + 300));
    // One batch: three distinct acme requests (counted ten times each) and other's one.
    expect(batches).toEqual([4]);
    const era = (await store.companies({ cursor: 0, count: 10 })).companies;
    expect(era).toEqual(['acme', 'other']);
    await popularity.record({ companyId: 'acme', kind: 'search', request: { query: 'last' } });
    await popularity.onModuleDestroy();
    expect(batches).toEqual([4, 1]);
    expect((await popularity.top('acme', 10)).map((q) => q.request.query)).toContain('last');
  });

  it('treats bodies with the same members in another key order as one request', async () => {
    const { popularity } = popularityService(backend.popularity());
    await popularity.record({ companyId: 'acme', kind: 'search', request: { query: 'a', limit: 5 } });
    await popularity.record({ companyId: 'acme', kind: 'search', request: { limit: 5, query: 'a' } });
    expect(await popularity.top('acme', 10)).toHaveLength(1);
  });

  it('lets a recent query outrank an older, once more frequent one', async () => {
    jest.useFakeTimers({
      now: Date.UTC(2026, 5, 1),
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    const { popularity } = popularityService(backend.popularity(), { halfLifeMs: HOUR });
    for (let i = 0; i < 4; i++)
      await popularity.record({ companyId: 'acme', kind: 'search', request: { query: 'old' } });
    jest.setSystemTime(Date.UTC(2026, 5, 1) + 3 * HOUR);
    await popularity.record({ companyId: 'acme', kind: 'search', request: { query: 'new' } });
    expect((await popularity.top('acme', 2)).map((p) => p.request.query)).toEqual(['new', 'old']);
  });

  it('keeps at most maxEntries per company and lists companies a page at a time', async () => {
    const { popularity } = popularityService(backend.popularity(), { maxEntries: 3 });
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j <= i; j++)
        await popularity.record({ companyId: `co-${i}`, kind: 'search', request: { query: `q${i}` } });
      await popularity.record({ companyId: 'acme', kind: 'search', request: { query: `q${i}` } });
    }
    expect(await popularity.top('acme', 10)).toHaveLength(3);
    const seen: string[] = [];
    let cursor = 0;
    do {
      const page = await popularity.companies({ cursor, count: 4 });
      seen.push(...page.companies);
      cursor = page.next;
    } while (cursor !== 0);
    expect(seen.sort()).toEqual(['acme', 'co-0', 'co-1', 'co-2', 'co-3', 'co-4', 'co-5']);
  });

  it('erases one company: every era and its place in the company list, the other company kept', async () => {
    const store = backend.popularity();
    const { popularity } = popularityService(store);
    for (const companyId of ['gone', 'gone-2'])
      await popularity.record({ companyId, kind: 'search', request: { query: 'refund' } });
    await popularity.flush();
    expect(await store.countCompany('gone')).toBe(2);
    await expect(store.eraseCompany('gone')).resolves.toBe(2);
    expect(await store.countCompany('gone')).toBe(0);
    expect(await popularity.top('gone', 10)).toEqual([]);
    expect(await popularity.top('gone-2', 10)).toHaveLength(1);
    expect((await popularity.companies({ cursor: 0, count: 10 })).companies).toEqual(['gone-2']);
    await expect(store.eraseCompany('gone')).resolves.toBe(0);
  });

  it('gives the lock to one holder at a time, releases only with its token, and expires it', async () => {
    const lock = backend.lock();
    const token = await lock.acquire({ name: 'warm:acme', ttlMs: 200 });
    expect(token).toBeDefined();
    expect(await lock.acquire({ name: 'warm:acme', ttlMs: 200 })).toBeUndefined();
    expect(await lock.acquire({ name: 'warm:other', ttlMs: 200 })).toBeDefined();
    await lock.release({ name: 'warm:acme', token: 'not-the-token' });
    expect(await lock.acquire({ name: 'warm:acme', ttlMs: 200 })).toBeUndefined();
    await lock.release({ name: 'warm:acme', token: token! });
    const again = await lock.acquire({ name: 'warm:acme', ttlMs: 100 });
    expect(again).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await lock.acquire({ name: 'warm:acme', ttlMs: 100 })).toBeDefined();
  });

  it('runs a company warm once when two instances race, and hands each warmer the top requests', async () => {
    const store = backend.popularity();
    const lock = backend.lock();
    const { config, popularity } = popularityService(store);
    config.semanticCache.warming = { ...config.semanticCache.warming, topN: 2 };
    for (const [query, times] of [
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ] as const) {
      for (let i = 0; i < times; i++)
        await popularity.record({
          companyId: 'acme',
          kind: query === 'b' ? 'query' : 'search',
          request: { query },
        });
    }
    const metrics = new MetricsService(config);
    const instances = [
      new CacheWarmer(popularity, lock, config, metrics),
      new CacheWarmer(popularity, lock, config, metrics),
    ];
    const calls: string[][] = [];
    for (const warmer of instances) {
      warmer.register('search', async ({ popular }) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        calls.push(popular.map((p) => String(p.request.query)));
        return { warmed: popular.length, skipped: 0, failed: 0 };
      });
      warmer.register('broken', async () => {
        throw new Error('boom');
      });
    }
    const reports = await Promise.all(instances.map((w) => w.warmCompany('acme')));
    expect(reports.filter((r) => r.ran)).toHaveLength(1);
    expect(calls).toEqual([['a', 'b']]);
    const ran = reports.find((r) => r.ran)!;
    expect(ran.warmers.search).toEqual({ warmed: 2, skipped: 0, failed: 0 });
    expect(ran.warmers.broken).toEqual({ error: 'boom' });
    // The lock was released: the next run goes ahead.
    expect((await instances[1].warmCompany('acme')).ran).toBe(true);
  });
});

describe('popularity when Redis does not answer', () => {
  it('records and ranks within its deadline, never throwing', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    dead.on('error', () => undefined);
    const { popularity } = popularityService(new RedisPopularityStore(dead, 'x:'));
    const started = performance.now();
    await expect(
      popularity.record({ companyId: 'acme', kind: 'search', request: { query: 'a' } }),
    ).resolves.toBeUndefined();
    await expect(popularity.top('acme', 5)).resolves.toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_500);
    dead.disconnect();
  });
});

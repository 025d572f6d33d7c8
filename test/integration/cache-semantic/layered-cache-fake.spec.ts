import { cacheKey } from '../../../src/modules/cache/domain/cache-keys';
import { FakeLayeredCache } from '../../fakes/layered-cache.fake';

/** The fake must behave like LayeredCacheService, or tests written against it prove nothing. */
describe('FakeLayeredCache', () => {
  const key = (companyId = 'acme', input: unknown = 'q') =>
    cacheKey({ layer: 'vector', companyId, kind: 'search', input });
  afterEach(() => jest.useRealTimers());

  it('computes once for concurrent misses, then hits; keeps companies apart', async () => {
    const cache = new FakeLayeredCache();
    let runs = 0;
    const compute = async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 10));
      return { n: runs };
    };
    const results = await Promise.all([1, 2, 3].map(() => cache.getOrCompute({ key: key(), compute })));
    expect(runs).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['MISS', 'MISS', 'MISS']);
    expect((await cache.getOrCompute({ key: key(), compute })).status).toBe('HIT');
    expect((await cache.getOrCompute({ key: key('other'), compute })).status).toBe('MISS');
  });

  it('expires by layer TTL, serves stale inside the grace window, slides on touch', async () => {
    jest.useFakeTimers({ now: 0 });
    const cache = new FakeLayeredCache({
      llm: 1_000,
      vector: 1_000,
      session: 1_000,
      api: 1_000,
      prefs: 1_000,
    });
    await cache.set(key(), 'v');
    jest.setSystemTime(999);
    expect(await cache.get(key())).toBe('v');
    jest.setSystemTime(1_000);
    expect(await cache.get(key())).toBeUndefined();

    await cache.getOrCompute({
      key: key('acme', 's'),
      compute: async () => 'old',
      staleWhileRevalidateMs: 500,
    });
    jest.setSystemTime(2_200);
    expect(
      await cache.getOrCompute({
        key: key('acme', 's'),
        compute: async () => 'new',
        staleWhileRevalidateMs: 500,
      }),
    ).toEqual({
      value: 'old',
      status: 'STALE',
    });

    const session = cacheKey({ layer: 'session', companyId: 'acme', kind: 'session', input: 1 });
    await cache.set(session, 's');
    jest.setSystemTime(3_000);
    expect(await cache.getAndTouch(session)).toBe('s');
    jest.setSystemTime(3_900);
    expect(await cache.get(session)).toBe('s');
  });

  it('honours no-cache and no-store, and invalidation by layer or kind', async () => {
    const cache = new FakeLayeredCache();
    await cache.getOrCompute({ key: key(), compute: async () => 1 });
    expect((await cache.getOrCompute({ key: key(), compute: async () => 2, mode: 'no-cache' })).value).toBe(
      2,
    );
    expect(await cache.get(key())).toBe(2);
    await cache.getOrCompute({ key: key('acme', 'x'), compute: async () => 3, mode: 'no-store' });
    expect(await cache.get(key('acme', 'x'))).toBeUndefined();
    expect(await cache.invalidate('acme', ['vector'])).toEqual({ vector: 1 });
    expect(await cache.get(key())).toBeUndefined();
    await cache.set(key(), 4);
    cache.bumpKind({ companyId: 'acme', layer: 'vector', kind: 'search' });
    expect(await cache.get(key())).toBeUndefined();
  });
});

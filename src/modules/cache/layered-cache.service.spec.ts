import { MemoryCacheStore } from '../cache-store/adapters/memory.cache-store.adapter';
import { CacheGuard } from '../../common/async/cache-guard';
import { cacheKey } from './domain/cache-keys';
import { isOlderGeneration } from './generation-tracker';
import { parseResponseEntry } from './response-entry.codec';
import { buildLayeredCache } from '../../../test/support/cache';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store whose generation bumps fail (refused) or take `bumpMs`, while everything else works. */
class BumpTroubleStore extends MemoryCacheStore {
  refuseBumps = false;
  bumpMs = 0;
  bumpCalls = 0;
  override async bumpGenerations(companyId: string, fields: string[]) {
    this.bumpCalls += 1;
    if (this.bumpMs > 0) await sleep(this.bumpMs);
    if (this.refuseBumps) throw new Error('connect ECONNREFUSED');
    return super.bumpGenerations(companyId, fields);
  }
}

/** A store that never answers: a Redis that accepts connections and then stays silent. */
class SilentStore extends MemoryCacheStore {
  calls = 0;
  silent = true;
  override getValue<T>(key: string): Promise<T | undefined> {
    if (!this.silent) return super.getValue<T>(key);
    this.calls += 1;
    return new Promise(() => undefined);
  }
  override setValue<T>(key: string, value: T, ttlMs: number): Promise<void> {
    if (!this.silent) return super.setValue(key, value, ttlMs);
    this.calls += 1;
    return new Promise(() => undefined);
  }
}

function build(store = new MemoryCacheStore({ maxEntries: 1_000 }), env: Record<string, string> = {}) {
  const guard = new CacheGuard({ timeoutMs: 50, threshold: 3, halfOpenAfterMs: 200 });
  return { ...buildLayeredCache({ store, guard, env }), store, guard };
}

const key = (companyId = 'acme', input: unknown = { q: 'refund' }, layer: 'llm' | 'vector' = 'vector') =>
  cacheKey({ layer, companyId, kind: layer === 'llm' ? 'grounded-answer' : 'search', input });

describe('LayeredCacheService responses (stored serialized)', () => {
  const replay = (value: unknown) => JSON.stringify({ ...(value as object), cached: true });

  it('MISS returns the value; a HIT is the stored replay body, with no compute; peek and counting agree', async () => {
    const { cache, stats } = build();
    const compute = jest.fn(async () => ({ results: [1, 2] }));
    expect(await cache.getOrComputeResponse({ key: key(), compute, replay })).toEqual({
      status: 'MISS',
      value: { results: [1, 2] },
    });
    expect(await cache.getOrComputeResponse({ key: key(), compute, replay })).toEqual({
      status: 'HIT',
      body: '{"results":[1,2],"cached":true}',
    });
    expect(compute).toHaveBeenCalledTimes(1);
    expect((await cache.peekResponse(key()))?.body).toBe('{"results":[1,2],"cached":true}');
    expect(await cache.peekResponse(key('globex'))).toBeUndefined();
    cache.recordResponseHit(key(), undefined);
    await stats.flush();
    expect((await stats.snapshot({ companyId: 'acme' })).lookups.vector).toEqual({
      hits: 2,
      stale: 0,
      misses: 1,
    });
  });

  it('honours no-store, no-cache and shouldStore', async () => {
    const { cache } = build();
    let n = 0;
    const compute = async () => ({ n: ++n });
    await cache.getOrComputeResponse({ key: key(), compute, replay, mode: 'no-store' });
    expect(await cache.peekResponse(key())).toBeUndefined();
    await cache.getOrComputeResponse({ key: key(), compute, replay, shouldStore: () => false });
    expect(await cache.peekResponse(key())).toBeUndefined();
    await cache.getOrComputeResponse({ key: key(), compute, replay });
    const refreshed = await cache.getOrComputeResponse({ key: key(), compute, replay, mode: 'no-cache' });
    expect(refreshed).toEqual({ status: 'MISS', value: { n: 4 } });
    expect((await cache.peekResponse(key()))?.body).toBe('{"n":4,"cached":true}');
  });

  it('a generation bump makes the stored response unreachable', async () => {
    const { cache } = build();
    await cache.getOrComputeResponse({ key: key(), compute: async () => ({ a: 1 }), replay });
    await cache.invalidate('acme', ['vector']);
    expect(await cache.peekResponse(key())).toBeUndefined();
  });

  it('reads anything but `{header}\\n{body}` as a miss', () => {
    expect(parseResponseEntry('{"exp":5}\n{"a":1}')).toEqual({ exp: 5, credit: undefined, body: '{"a":1}' });
    expect(parseResponseEntry('{"exp":5,"credit":{"tokens":3,"costUsd":0.1}}\n[]')?.credit).toEqual({
      tokens: 3,
      costUsd: 0.1,
    });
    expect(parseResponseEntry('{"value":{"v":1,"exp":5}}')).toBeUndefined();
    expect(parseResponseEntry('not json\n{}')).toBeUndefined();
    expect(parseResponseEntry('{"v":1}\n{}')).toBeUndefined();
  });
});

describe('LayeredCacheService', () => {
  it('reads through: MISS computes and stores, HIT serves without computing', async () => {
    const { cache } = build();
    const compute = jest.fn(async () => ({ n: 1 }));
    expect(await cache.getOrCompute({ key: key(), compute })).toEqual({ value: { n: 1 }, status: 'MISS' });
    expect(await cache.getOrCompute({ key: key(), compute })).toEqual({ value: { n: 1 }, status: 'HIT' });
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('keeps companies apart: the same input under another company is another entry', async () => {
    const { cache } = build();
    await cache.set(key('acme'), 'acme answer');
    expect(await cache.get(key('globex'))).toBeUndefined();
    const other = await cache.getOrCompute({ key: key('globex'), compute: async () => 'globex answer' });
    expect(other).toEqual({ value: 'globex answer', status: 'MISS' });
    expect(await cache.get(key('acme'))).toBe('acme answer');
  });

  it('single-flight: concurrent identical misses compute once', async () => {
    const { cache } = build();
    let calls = 0;
    const compute = async () => {
      calls += 1;
      await sleep(30);
      return calls;
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => cache.getOrCompute({ key: key(), compute })),
    );
    expect(calls).toBe(1);
    expect(results.every((r) => r.value === 1 && r.status === 'MISS')).toBe(true);
    // A failed computation is not shared with later callers.
    await expect(
      cache.getOrCompute({ key: key('acme', 'boom'), compute: async () => Promise.reject(new Error('x')) }),
    ).rejects.toThrow('x');
    expect((await cache.getOrCompute({ key: key('acme', 'boom'), compute: async () => 'ok' })).value).toBe(
      'ok',
    );
  });

  it('expires entries after their TTL', async () => {
    const { cache } = build();
    await cache.getOrCompute({ key: key(), compute: async () => 'v1', ttlMs: 40 });
    expect((await cache.getOrCompute({ key: key(), compute: async () => 'v2', ttlMs: 40 })).status).toBe(
      'HIT',
    );
    await sleep(60);
    expect(await cache.getOrCompute({ key: key(), compute: async () => 'v2', ttlMs: 40 })).toEqual({
      value: 'v2',
      status: 'MISS',
    });
  });

  it('stale-while-revalidate: serves the stale value in the grace window while one refresh runs', async () => {
    const { cache } = build();
    const k = key('acme', { q: 'swr' }, 'llm');
    let version = 0;
    const compute = jest.fn(async () => {
      await sleep(20);
      version += 1;
      return `answer v${version}`;
    });
    // A TTL long enough that the refreshed value is still fresh when read back on a loaded machine.
    const options = { key: k, compute, ttlMs: 300, staleWhileRevalidateMs: 1_000 };
    expect((await cache.getOrCompute(options)).value).toBe('answer v1');
    await sleep(320);
    const stale = await Promise.all([
      cache.getOrCompute(options),
      cache.getOrCompute(options),
      cache.getOrCompute(options),
    ]);
    expect(stale.map((r) => r.status)).toEqual(['STALE', 'STALE', 'STALE']);
    expect(stale.every((r) => r.value === 'answer v1')).toBe(true);
    await sleep(50);
    expect(compute).toHaveBeenCalledTimes(2);
    expect(await cache.getOrCompute(options)).toEqual({ value: 'answer v2', status: 'HIT' });
    // Past the grace window it is a plain miss.
    await sleep(1_350);
    expect((await cache.getOrCompute(options)).status).toBe('MISS');
  });

  it('no-cache skips the read and refreshes; no-store neither reads nor writes', async () => {
    const { cache } = build();
    await cache.set(key(), 'old');
    expect(await cache.getOrCompute({ key: key(), compute: async () => 'new', mode: 'no-cache' })).toEqual({
      value: 'new',
      status: 'MISS',
    });
    expect(await cache.get(key())).toBe('new');
    expect(await cache.getOrCompute({ key: key(), compute: async () => 'other', mode: 'no-store' })).toEqual({
      value: 'other',
      status: 'MISS',
    });
    expect(await cache.get(key())).toBe('new');
  });

  it('does not store values refused by shouldStore (degraded answers)', async () => {
    const { cache } = build();
    await cache.getOrCompute({
      key: key(),
      compute: async () => ({ degraded: true }),
      shouldStore: (v) => !v.degraded,
    });
    expect(await cache.get(key())).toBeUndefined();
  });

  it('getAndTouch slides the TTL on every read', async () => {
    const { cache } = build();
    const session = cacheKey({ layer: 'session', companyId: 'acme', kind: 'session', input: { id: 's1' } });
    await cache.set(session, { ticket: 'T-1' }, { ttlMs: 80 });
    for (let i = 0; i < 5; i += 1) {
      await sleep(40);
      expect(await cache.getAndTouch(session, 80)).toEqual({ ticket: 'T-1' });
    }
    await sleep(120);
    expect(await cache.getAndTouch(session, 80)).toBeUndefined();
  });

  it('invalidates per company and layer by generation, and sweeps the old keys', async () => {
    const { cache, store } = build();
    await cache.set(key('acme'), 'a-search');
    await cache.set(key('acme', { q: 'refund' }, 'llm'), 'a-answer');
    await cache.set(key('globex'), 'g-search');
    expect(await cache.invalidate('acme', ['vector'])).toEqual({ vector: 1 });
    expect(await cache.get(key('acme'))).toBeUndefined();
    expect(await cache.get(key('acme', { q: 'refund' }, 'llm'))).toBe('a-answer');
    expect(await cache.get(key('globex'))).toBe('g-search');
    const left: string[] = [];
    for await (const batch of store.scan('vector:', 100)) left.push(...batch);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^vector:globex:/);
    // A new entry after the bump lives under the new generation.
    await cache.set(key('acme'), 'a-search-2');
    expect(await cache.get(key('acme'))).toBe('a-search-2');
  });

  it('bumps a single kind without touching the other kinds of its layer', async () => {
    const { cache, invalidator } = build();
    const answer = cacheKey({ layer: 'llm', companyId: 'acme', kind: 'grounded-answer', input: 'q' });
    const summary = cacheKey({
      layer: 'llm',
      companyId: 'acme',
      kind: 'summary',
      input: { ticket_id: 'T-1' },
    });
    await cache.set(answer, 'answer');
    await cache.set(summary, 'summary');
    await invalidator.bumpGenerations({
      companyId: 'acme',
      kinds: [{ layer: 'llm', kind: 'grounded-answer' }],
    });
    expect(await cache.get(answer)).toBeUndefined();
    expect(await cache.get(summary)).toBe('summary');
  });

  it('an invalidation the store did not take is owed: the entries it covers are not served until it lands by itself', async () => {
    const store = new BumpTroubleStore({ maxEntries: 100 });
    const { cache, invalidator } = build(store);
    await cache.set(key('acme'), 'before the change');
    await cache.set(key('globex'), 'globex');
    await cache.set(key('acme', 'q', 'llm'), 'answer');

    store.refuseBumps = true;
    // The data changed; the bump is refused but not thrown to the data path.
    await expect(
      invalidator.bumpGenerations({ companyId: 'acme', layers: ['vector'] }),
    ).resolves.toBeUndefined();
    expect(invalidator.pendingInvalidations()).toEqual(new Map([['acme', 1]]));
    // Other layers and other companies are not affected.
    expect(await cache.get(key('acme', 'q', 'llm'))).toBe('answer');
    expect(await cache.get(key('globex'))).toBe('globex');
    // The old entry is never served: lookups of that layer fail open to the source, and store nothing.
    const compute = jest.fn(async () => 'after the change');
    expect(await cache.getOrCompute({ key: key('acme'), compute })).toEqual({
      value: 'after the change',
      status: 'MISS',
    });
    expect(await cache.get(key('acme'))).toBeUndefined();
    expect(await cache.peekResponse(key('acme'))).toBeUndefined();
    // An explicit invalidation that is refused is a 503 and owed as well.
    await expect(cache.invalidate('acme', ['llm'])).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(invalidator.pendingInvalidations()).toEqual(new Map([['acme', 2]]));
    expect(await cache.get(key('acme', 'q', 'llm'))).toBeUndefined();

    // The store takes bumps again: the retry timer delivers both, with no lookup needed (the failed retries
    // opened the breaker, as any failing store call does; the retry is also its half-open probe).
    store.refuseBumps = false;
    await sleep(1_200);
    expect(invalidator.pendingInvalidations().size).toBe(0);
    expect(await cache.get(key('acme'))).toBeUndefined();
    expect(await cache.get(key('acme', 'q', 'llm'))).toBeUndefined();
    expect(await cache.get(key('globex'))).toBe('globex');
    await cache.set(key('acme'), 'fresh');
    expect(await cache.get(key('acme'))).toBe('fresh');
    await invalidator.onModuleDestroy();
  });

  it('a lookup of an owed layer retries the bump at once', async () => {
    const store = new BumpTroubleStore({ maxEntries: 100 });
    const { cache, invalidator } = build(store);
    await cache.set(key('acme'), 'old');
    store.refuseBumps = true;
    await invalidator.bumpGenerations({ companyId: 'acme', layers: ['vector'] });
    store.refuseBumps = false;
    const calls = store.bumpCalls;
    expect(await cache.get(key('acme'))).toBeUndefined();
    await sleep(10);
    expect(store.bumpCalls).toBe(calls + 1);
    expect(invalidator.pendingInvalidations().size).toBe(0);
    expect(await cache.get(key('acme'))).toBeUndefined();
    await invalidator.onModuleDestroy();
  });

  it('a bump gets the state timeout: a store slower than the 50 ms lookup timeout still invalidates', async () => {
    const store = new BumpTroubleStore({ maxEntries: 100 });
    const { cache, invalidator } = build(store, { CACHE_STATE_TIMEOUT_MS: '400' });
    await cache.set(key('acme'), 'old');
    store.bumpMs = 120;
    expect(await cache.invalidate('acme', ['vector'])).toEqual({ vector: 1 });
    expect(invalidator.pendingInvalidations().size).toBe(0);
    expect(await cache.get(key('acme'))).toBeUndefined();
  });

  it('credits the savings ledger on every hit', async () => {
    const { cache, stats } = build();
    const options = {
      key: key('acme', 'q', 'llm'),
      compute: async () => 'answer',
      credit: () => ({ tokens: 1_200, costUsd: 0.002 }),
    };
    await cache.getOrCompute(options);
    await cache.getOrCompute(options);
    await cache.getOrCompute(options);
    expect(await stats.savings('acme')).toEqual({ hits: 2, tokens: 2_400, cost_usd: 0.004 });
    expect(await stats.savings('globex')).toEqual({ hits: 0, tokens: 0, cost_usd: 0 });
    const snapshot = await stats.snapshot({ companyId: 'acme' });
    expect(snapshot.lookups.llm).toEqual({ hits: 2, stale: 0, misses: 1 });
    expect(snapshot.hit_ratio_by_type.llm).toBeCloseTo(2 / 3, 3);
  });

  it('fails open: a silent store turns into fast misses, the breaker skips it, and caching resumes when it answers', async () => {
    const store = new SilentStore({ maxEntries: 10 });
    const { cache, guard } = build(store);
    const started = Date.now();
    for (let i = 0; i < 10; i += 1) {
      expect(await cache.getOrCompute({ key: key(), compute: async () => i })).toEqual({
        value: i,
        status: 'MISS',
      });
    }
    // Three timeouts of 50 ms open the breaker; the other calls do not wait at all.
    expect(Date.now() - started).toBeLessThan(400);
    expect(guard.state).toBe('open');
    expect(store.calls).toBe(3);

    store.silent = false;
    await sleep(250);
    expect((await cache.getOrCompute({ key: key(), compute: async () => 'back' })).status).toBe('MISS');
    expect(guard.state).toBe('closed');
    expect(await cache.getOrCompute({ key: key(), compute: async () => 'later' })).toEqual({
      value: 'back',
      status: 'HIT',
    });
  });

  it('CACHE_ENABLED=false computes every time and stores nothing', async () => {
    const { cache } = build(undefined, { CACHE_ENABLED: 'false' });
    const compute = jest.fn(async () => 'v');
    await cache.getOrCompute({ key: key(), compute });
    await cache.getOrCompute({ key: key(), compute });
    expect(compute).toHaveBeenCalledTimes(2);
  });
});

describe('isOlderGeneration', () => {
  it('matches keys of the layer whose suffix is not the current one of their kind', () => {
    const generations = { vector: 2, 'vector/search': 1 };
    expect(isOlderGeneration('vector:acme:search:abc:1.1', 'vector:acme:', 'vector', generations)).toBe(true);
    expect(isOlderGeneration('vector:acme:search:abc:2.0', 'vector:acme:', 'vector', generations)).toBe(true);
    expect(isOlderGeneration('vector:acme:search:abc:2.1', 'vector:acme:', 'vector', generations)).toBe(
      false,
    );
    expect(isOlderGeneration('vector:acme:other:abc:2.0', 'vector:acme:', 'vector', generations)).toBe(false);
    expect(isOlderGeneration('vector:acme2:search:abc:0.0', 'vector:acme:', 'vector', generations)).toBe(
      false,
    );
  });
});

import { randomBytes } from 'node:crypto';
import { cacheKey } from '../../src/modules/cache/domain/cache-keys';
import { LayeredCache } from '../../src/modules/cache/ports/layered-cache.port';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same cases against every LayeredCache: the fake that feature tests use and the real cache over each
 * store. What the features rely on: read-through with single-flight, TTLs, stale-while-revalidate, the
 * Cache-Control modes, sliding reads, state, responses and per-company invalidation.
 */
export function runLayeredCacheContract(
  name: string,
  open: () => Promise<{ cache: LayeredCache; dispose(): Promise<void> }>,
): void {
  describe(`LayeredCache contract: ${name}`, () => {
    let cache: LayeredCache;
    let dispose: () => Promise<void>;
    // Each case has its own companies, so cases never see each other's entries or invalidations.
    const company = () => `c-${randomBytes(4).toString('hex')}`;
    const search = (companyId: string, input: unknown = 'refund') =>
      cacheKey({ layer: 'vector', companyId, kind: 'search', input });
    const answer = (companyId: string, input: unknown = 'refund') =>
      cacheKey({ layer: 'llm', companyId, kind: 'grounded-answer', input });
    const session = (companyId: string, id = 's1') =>
      cacheKey({ layer: 'session', companyId, kind: 'session', input: { id } });

    beforeAll(async () => {
      ({ cache, dispose } = await open());
    });
    afterAll(() => dispose());

    it('reads through: a MISS computes and stores, a HIT serves a copy without computing', async () => {
      const key = search(company());
      const compute = jest.fn(async () => ({ n: 1, list: ['a'] }));
      expect(await cache.getOrCompute({ key, compute })).toEqual({
        value: { n: 1, list: ['a'] },
        status: 'MISS',
      });
      const hit = await cache.getOrCompute({ key, compute });
      expect(hit).toEqual({ value: { n: 1, list: ['a'] }, status: 'HIT' });
      expect(compute).toHaveBeenCalledTimes(1);
      hit.value.list.push('mutated');
      expect(await cache.get(key)).toEqual({ n: 1, list: ['a'] });
    });

    it('keeps companies apart: the same input under another company is another entry', async () => {
      const [a, b] = [company(), company()];
      await cache.set(search(a), 'a');
      expect(await cache.get(search(b))).toBeUndefined();
      expect(await cache.getOrCompute({ key: search(b), compute: async () => 'b' })).toEqual({
        value: 'b',
        status: 'MISS',
      });
      expect(await cache.get(search(a))).toBe('a');
    });

    it('single-flight: concurrent identical misses compute once; a failure is not shared afterwards', async () => {
      const key = search(company());
      let calls = 0;
      const compute = async () => {
        calls += 1;
        await sleep(30);
        return calls;
      };
      const results = await Promise.all(
        Array.from({ length: 10 }, () => cache.getOrCompute({ key, compute })),
      );
      expect(calls).toBe(1);
      expect(results.every((r) => r.value === 1 && r.status === 'MISS')).toBe(true);
      const failing = search(company());
      await expect(
        cache.getOrCompute({ key: failing, compute: () => Promise.reject(new Error('x')) }),
      ).rejects.toThrow('x');
      expect(await cache.getOrCompute({ key: failing, compute: async () => 'ok' })).toEqual({
        value: 'ok',
        status: 'MISS',
      });
    });

    it('expires an entry after its TTL', async () => {
      const key = search(company());
      await cache.getOrCompute({ key, compute: async () => 'v1', ttlMs: 100 });
      expect(await cache.get(key)).toBe('v1');
      await sleep(200);
      expect(await cache.get(key)).toBeUndefined();
      expect(await cache.getOrCompute({ key, compute: async () => 'v2', ttlMs: 100 })).toEqual({
        value: 'v2',
        status: 'MISS',
      });
    });

    it('stale-while-revalidate: past the TTL serves the old value while one refresh stores the new one', async () => {
      const key = answer(company());
      let version = 0;
      const compute = jest.fn(async () => `v${++version}`);
      const options = { key, compute, ttlMs: 100, staleWhileRevalidateMs: 10_000 };
      expect(await cache.getOrCompute(options)).toEqual({ value: 'v1', status: 'MISS' });
      await sleep(200);
      const stale = await Promise.all([cache.getOrCompute(options), cache.getOrCompute(options)]);
      expect(stale).toEqual([
        { value: 'v1', status: 'STALE' },
        { value: 'v1', status: 'STALE' },
      ]);
      const deadline = Date.now() + 2_000;
      while ((await cache.get(key)) !== 'v2' && Date.now() < deadline) await sleep(20);
      expect(await cache.getOrCompute(options)).toEqual({ value: 'v2', status: 'HIT' });
      expect(compute).toHaveBeenCalledTimes(2);
    });

    it('no-cache skips the read and refreshes; no-store neither reads nor writes; shouldStore can refuse', async () => {
      const key = search(company());
      await cache.set(key, 'old');
      expect(await cache.getOrCompute({ key, compute: async () => 'new', mode: 'no-cache' })).toEqual({
        value: 'new',
        status: 'MISS',
      });
      expect(await cache.get(key)).toBe('new');
      expect(await cache.getOrCompute({ key, compute: async () => 'other', mode: 'no-store' })).toEqual({
        value: 'other',
        status: 'MISS',
      });
      expect(await cache.get(key)).toBe('new');
      const refused = search(company());
      await cache.getOrCompute({
        key: refused,
        compute: async () => ({ degraded: true }),
        shouldStore: () => false,
      });
      expect(await cache.get(refused)).toBeUndefined();
    });

    it('serves responses: a MISS is the value, a HIT the replay body', async () => {
      const key = cacheKey({ layer: 'api', companyId: company(), kind: 'init', input: 'T-1' });
      const replay = (value: unknown) => JSON.stringify({ ...(value as object), cached: true });
      const compute = jest.fn(async () => ({ ticket: 'T-1' }));
      expect(await cache.getOrComputeResponse({ key, compute, replay })).toEqual({
        status: 'MISS',
        value: { ticket: 'T-1' },
      });
      expect(await cache.getOrComputeResponse({ key, compute, replay })).toEqual({
        status: 'HIT',
        body: '{"ticket":"T-1","cached":true}',
      });
      expect(compute).toHaveBeenCalledTimes(1);
    });

    it('getAndTouch slides the TTL; delete removes', async () => {
      const key = session(company());
      await cache.set(key, { ticket: 'T-1' }, { ttlMs: 300 });
      for (let i = 0; i < 3; i += 1) {
        await sleep(150);
        expect(await cache.getAndTouch(key, 300)).toEqual({ ticket: 'T-1' });
      }
      await cache.delete(key);
      expect(await cache.get(key)).toBeUndefined();
    });

    it('invalidates one company and the given layers only, counting what it removed', async () => {
      const [a, b] = [company(), company()];
      await cache.set(search(a), 'a-search');
      await cache.set(answer(a), 'a-answer');
      await cache.set(search(b), 'b-search');
      expect(await cache.invalidate(a, ['vector'])).toEqual({ vector: 1 });
      expect(await cache.get(search(a))).toBeUndefined();
      expect(await cache.get(answer(a))).toBe('a-answer');
      expect(await cache.get(search(b))).toBe('b-search');
      // Entries written after the invalidation are served again.
      await cache.set(search(a), 'a-search-2');
      expect(await cache.get(search(a))).toBe('a-search-2');
      const all = await cache.invalidate(a);
      expect(Object.keys(all).sort()).toEqual(['api', 'llm', 'prefs', 'session', 'vector']);
      expect(await cache.get(answer(a))).toBeUndefined();
    });
  });
}

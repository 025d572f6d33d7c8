import Redis from 'ioredis';
import { CacheGuard } from '../../../src/common/async/cache-guard';
import { cacheKey } from '../../../src/modules/cache/domain/cache-keys';
import { buildLayeredCache, openRedisCacheStore } from '../../support/cache';
import { describeSkippedWithout } from '../../support/services';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A cache Redis can lose a company's generation counters while instances run (a restart without persistence,
 * FLUSHDB, eviction under maxmemory) and nothing is announced. An instance still holding the old generation
 * (for CACHE_GENERATION_LOCAL_MS) writes entries under it; counters that started again from 0 would reach that
 * number with a later invalidation and make those entries current again. Seen in CI: a session copy outlived
 * DELETE /admin/cache after the test before had emptied the app's Redis keys.
 */
const url = process.env.REDIS_URL;
if (url) {
  describe('generation counters lost by the cache Redis', () => {
    it('an invalidation after the counters were lost never makes an entry written under the old generation current', async () => {
      const opened = await openRedisCacheStore(url);
      const guard = new CacheGuard({ timeoutMs: 1_000, threshold: 5, halfOpenAfterMs: 200 });
      // A long local window: the instance keeps believing the generation it last read, as it does for up to 1 s.
      const { cache, invalidator } = buildLayeredCache({
        store: opened.store,
        guard,
        env: { CACHE_GENERATION_LOCAL_MS: '60000' },
      });
      const raw = new Redis(url);
      try {
        const companyId = `reset-${process.pid}`;
        const key = cacheKey({ layer: 'vector', companyId, kind: 'search', input: { q: 'refund' } });
        await cache.invalidate(companyId);
        await sleep(200); // its own announcement has arrived: the next read fetches the generation
        expect(await cache.get(key)).toBeUndefined();
        const before = await invalidator.versionedKey(key);

        // The cache Redis loses the counters (no announcement); this instance writes under what it last read.
        const prefix = (opened.store as unknown as { options: { keyPrefix: string } }).options.keyPrefix;
        expect(await raw.unlink(`${prefix}cachegen:${companyId}`)).toBe(1);
        await cache.set(key, 'written under the lost generation');
        expect(await invalidator.versionedKey(key)).toBe(before);

        // The data changes: the invalidation must put that entry out of use.
        await cache.invalidate(companyId);
        expect(await invalidator.versionedKey(key)).not.toBe(before);
        expect(await cache.get(key)).toBeUndefined();
      } finally {
        raw.disconnect();
        await invalidator.onModuleDestroy();
        await opened.dispose();
      }
    });
  });
} else {
  describeSkippedWithout('generation counters lost by the cache Redis', ['REDIS_URL']);
}

import { MemoryCacheStore } from '../../../src/modules/cache-store/adapters/memory.cache-store.adapter';
import { NearCacheStore } from '../../../src/modules/cache-store/adapters/near-cache.cache-store.adapter';
import { runCacheStoreContract } from '../../contract/cache-store.contract';
import { openRedisCacheStore } from '../../support/cache';
import { describeSkippedWithout } from '../../support/services';

const NEAR = { maxEntries: 1_000, ttlMs: 5_000 };

runCacheStoreContract('memory', async () => {
  const store = new MemoryCacheStore({ maxEntries: 1_000 });
  return { store, dispose: () => store.close() };
});

runCacheStoreContract('near cache over memory', async () => {
  const store = new NearCacheStore(new MemoryCacheStore({ maxEntries: 1_000 }), NEAR);
  return { store, dispose: () => store.close() };
});

const url = process.env.REDIS_URL;
if (url) {
  runCacheStoreContract('Redis', () => openRedisCacheStore(url));
  runCacheStoreContract('near cache over Redis', async () => {
    const opened = await openRedisCacheStore(url);
    return { store: new NearCacheStore(opened.store, NEAR), dispose: opened.dispose };
  });
} else {
  describeSkippedWithout('CacheStore contract: Redis', ['REDIS_URL']);
}

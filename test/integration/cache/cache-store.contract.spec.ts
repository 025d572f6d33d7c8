import { MemoryCacheStore } from '../../../src/modules/cache/adapters/memory.cache-store.adapter';
import { runCacheStoreContract } from '../../contract/cache-store.contract';
import { openRedisCacheStore } from '../../support/cache';
import { describeSkippedWithout } from '../../support/services';

runCacheStoreContract('memory', async () => {
  const store = new MemoryCacheStore({ maxEntries: 1_000 });
  return { store, dispose: () => store.close() };
});

const url = process.env.REDIS_URL;
if (url) {
  runCacheStoreContract('Redis', () => openRedisCacheStore(url));
} else {
  describeSkippedWithout('CacheStore contract: Redis', ['REDIS_URL']);
}

import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { MemoryCacheStore } from '../../../src/modules/cache/adapters/memory.cache-store.adapter';
import { RedisCacheStore } from '../../../src/modules/cache/adapters/redis.cache-store.adapter';
import { runCacheStoreContract } from '../../contract/cache-store.contract';
import { describeSkippedWithout } from '../../support/services';

runCacheStoreContract('memory', async () => {
  const store = new MemoryCacheStore({ maxEntries: 1_000 });
  return { store, dispose: () => store.close() };
});

const url = process.env.REDIS_URL;
if (url) {
  runCacheStoreContract('Redis', async () => {
    const keyPrefix = `test-${process.pid}-${randomBytes(3).toString('hex')}:`;
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    const store = new RedisCacheStore(redis, { url, keyPrefix, connectTimeoutMs: 5_000 });
    const deadline = Date.now() + 5_000;
    while (!(await store.ping().catch(() => false)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      store,
      async dispose() {
        await store.close();
        redis.disconnect();
      },
    };
  });
} else {
  describeSkippedWithout('CacheStore contract: Redis', ['REDIS_URL']);
}

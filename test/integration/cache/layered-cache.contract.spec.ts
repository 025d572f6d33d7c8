import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { CacheGuard } from '../../../src/common/async/cache-guard';
import { loadConfig } from '../../../src/config/config';
import { MemoryCacheStore } from '../../../src/modules/cache/adapters/memory.cache-store.adapter';
import { RedisCacheStore } from '../../../src/modules/cache/adapters/redis.cache-store.adapter';
import { CacheEntries } from '../../../src/modules/cache/cache-entries';
import { CacheRecorder } from '../../../src/modules/cache/cache-recorder';
import { CacheStatsService } from '../../../src/modules/cache/cache-stats.service';
import { GenerationInvalidator } from '../../../src/modules/cache/generation-invalidator';
import { LayeredCacheService } from '../../../src/modules/cache/layered-cache.service';
import { CacheStore } from '../../../src/modules/cache/ports/cache-store.port';
import { MetricsService } from '../../../src/modules/metrics/metrics.service';
import { runLayeredCacheContract } from '../../contract/layered-cache.contract';
import { FakeLayeredCache } from '../../fakes/layered-cache.fake';
import { describeSkippedWithout } from '../../support/services';

/** The real cache as CacheModule wires it, over `store`; timeouts generous enough for a loaded test machine. */
function layeredCache(store: CacheStore) {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const metrics = new MetricsService(config);
  const guard = new CacheGuard({ timeoutMs: 1_000, threshold: 5, halfOpenAfterMs: 200 });
  const recorder = new CacheRecorder(new CacheStatsService(store, config, metrics), metrics);
  const invalidator = new GenerationInvalidator(store, guard, recorder, config);
  const cache = new LayeredCacheService(
    new CacheEntries(store, guard, recorder),
    invalidator,
    recorder,
    config,
  );
  return { cache, close: () => invalidator.onModuleDestroy() };
}

runLayeredCacheContract('fake', async () => ({
  cache: new FakeLayeredCache(),
  dispose: async () => undefined,
}));

runLayeredCacheContract('real, memory store', async () => {
  const store = new MemoryCacheStore({ maxEntries: 1_000 });
  const { cache, close } = layeredCache(store);
  return {
    cache,
    async dispose() {
      await close();
      await store.close();
    },
  };
});

const url = process.env.REDIS_URL;
if (url) {
  runLayeredCacheContract('real, Redis store', async () => {
    const keyPrefix = `test-${process.pid}-${randomBytes(3).toString('hex')}:`;
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    const store = new RedisCacheStore(redis, { url, keyPrefix, connectTimeoutMs: 5_000 });
    const deadline = Date.now() + 5_000;
    while (!(await store.ping().catch(() => false)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const { cache, close } = layeredCache(store);
    return {
      cache,
      async dispose() {
        await close();
        await store.close();
        redis.disconnect();
      },
    };
  });
} else {
  describeSkippedWithout('LayeredCache contract: real, Redis store', ['REDIS_URL']);
}

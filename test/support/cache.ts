import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { CacheGuard } from '../../src/common/async/cache-guard';
import { loadConfig } from '../../src/config/config';
import { RedisCacheStore } from '../../src/modules/cache-store/adapters/redis.cache-store.adapter';
import { CacheEntries } from '../../src/modules/cache/cache-entries';
import { CacheRecorder } from '../../src/modules/cache/cache-recorder';
import { CacheStatsService } from '../../src/modules/cache/cache-stats.service';
import { GenerationInvalidator } from '../../src/modules/cache/generation-invalidator';
import { LayeredCacheService } from '../../src/modules/cache/layered-cache.service';
import { CacheStore } from '../../src/modules/cache-store/ports/cache-store.port';
import { MetricsService } from '../../src/modules/metrics/metrics.service';

/** The real layered cache over `store`, wired as CacheModule wires it, for specs that build it by hand. */
export function buildLayeredCache(input: {
  store: CacheStore;
  guard: CacheGuard;
  env?: Record<string, string>;
}) {
  const { store, guard } = input;
  const config = loadConfig({ LOG_LEVEL: 'silent', ...input.env });
  const metrics = new MetricsService(config);
  const stats = new CacheStatsService(store, config, metrics);
  const recorder = new CacheRecorder(stats, metrics);
  const invalidator = new GenerationInvalidator(store, guard, recorder, config);
  const cache = new LayeredCacheService(
    new CacheEntries(store, guard, recorder),
    invalidator,
    recorder,
    config,
  );
  return { cache, invalidator, stats, config };
}

/** A RedisCacheStore under a key prefix of its own, once it answers. */
export async function openRedisCacheStore(
  url: string,
): Promise<{ store: RedisCacheStore; dispose(): Promise<void> }> {
  const keyPrefix = `test-${process.pid}-${randomBytes(3).toString('hex')}:`;
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const store = new RedisCacheStore(redis, { url, keyPrefix, connectTimeoutMs: 5_000, socketTimeoutMs: 2_000 });
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
}

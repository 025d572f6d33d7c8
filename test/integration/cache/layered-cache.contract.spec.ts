import { CacheGuard } from '../../../src/common/async/cache-guard';
import { MemoryCacheStore } from '../../../src/modules/cache-store/adapters/memory.cache-store.adapter';
import { CacheStore } from '../../../src/modules/cache-store/ports/cache-store.port';
import { runLayeredCacheContract } from '../../contract/layered-cache.contract';
import { FakeLayeredCache } from '../../fakes/layered-cache.fake';
import { buildLayeredCache, openRedisCacheStore } from '../../support/cache';
import { describeSkippedWithout } from '../../support/services';

/** The real cache over the store; timeouts generous enough for a loaded test machine. */
function realCache(opened: { store: CacheStore; dispose(): Promise<void> }) {
  const guard = new CacheGuard({ timeoutMs: 1_000, threshold: 5, halfOpenAfterMs: 200 });
  const { cache, invalidator } = buildLayeredCache({ store: opened.store, guard });
  return {
    cache,
    async dispose() {
      await invalidator.onModuleDestroy();
      await opened.dispose();
    },
  };
}

runLayeredCacheContract('fake', async () => ({
  cache: new FakeLayeredCache(),
  dispose: async () => undefined,
}));

runLayeredCacheContract('real, memory store', async () => {
  const store = new MemoryCacheStore({ maxEntries: 1_000 });
  return realCache({ store, dispose: () => store.close() });
});

const url = process.env.REDIS_URL;
if (url) {
  runLayeredCacheContract('real, Redis store', async () => realCache(await openRedisCacheStore(url)));
} else {
  describeSkippedWithout('LayeredCache contract: real, Redis store', ['REDIS_URL']);
}

import { CACHE_MANAGER, CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { RedisConnection } from '../../common/redis/redis-connection.adapter';
import { AppConfig } from '../../config/config';
import { lruMemoryKeyv, MemoryCacheStore } from './adapters/memory.cache-store.adapter';
import { NearCacheStore } from './adapters/near-cache.cache-store.adapter';
import { RedisCacheStore } from './adapters/redis.cache-store.adapter';
import { CacheStore } from './ports/cache-store.port';

/** The shared store behind the in-process near cache, unless CACHE_NEAR_MAX_ENTRIES=0. */
function nearCached(store: CacheStore, config: AppConfig): CacheStore {
  const { maxEntries, ttlMs } = config.cache.near;
  return maxEntries > 0 ? new NearCacheStore(store, { maxEntries, ttlMs }) : store;
}

/**
 * The storage under the layered cache, and nothing above it: the `CacheStore` port with its adapters. Services
 * mode (REDIS_URL): cache-manager 7 + Keyv + @keyv/redis (not cache-manager-redis-yet, which only supports
 * cache-manager 5) behind the in-process near cache. Embedded mode: @nestjs/cache-manager's CACHE_MANAGER over
 * an LRU memory Keyv (@cacheable/memory, CACHE_MEMORY_MAX_ENTRIES). The cache module owns its lifecycle (it
 * closes the store last, after the layers above it are done).
 */
@Module({
  imports: [
    // The embedded store's cache-manager; in services mode it stays empty (the Redis store has its own).
    NestCacheModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ stores: [lruMemoryKeyv(config.cache.memoryMaxEntries)] }),
    }),
  ],
  providers: [
    {
      provide: CacheStore,
      inject: [AppConfig, RedisConnection, CACHE_MANAGER],
      useFactory: (config: AppConfig, redis: RedisConnection, cacheManager: Cache): CacheStore =>
        config.redis.url && redis.client
          ? nearCached(
              new RedisCacheStore(redis.client, {
                url: config.redis.url,
                keyPrefix: config.redis.keyPrefix,
                connectTimeoutMs: 5_000,
                socketTimeoutMs: config.redis.socketTimeoutMs,
              }),
              config,
            )
          : new MemoryCacheStore({ cache: cacheManager }),
    },
  ],
  exports: [CacheStore],
})
export class CacheStoreModule {}

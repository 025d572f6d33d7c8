import { CACHE_MANAGER, CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RedisConnection } from '../../common/redis/redis-connection.adapter';
import { AppConfig } from '../../config/config';
import { EventsModule } from '../events/events.module';
import { DependencyHealth } from '../health/dependency.health';
import { MetricsService } from '../metrics/metrics.service';
import { AdminCacheController } from './admin/admin-cache.controller';
import type { Cache } from 'cache-manager';
import { lruMemoryKeyv, MemoryCacheStore } from './adapters/memory.cache-store.adapter';
import { NearCacheStore } from './adapters/near-cache.cache-store.adapter';
import { RedisCacheStore } from './adapters/redis.cache-store.adapter';
import { CacheGuard } from '../../common/async/cache-guard';
import { CacheEntries } from './cache-entries';
import { CacheInvalidationListener } from './cache-invalidation.listener';
import { CacheRecorder } from './cache-recorder';
import { CacheStatsService } from './cache-stats.service';
import { CacheUsageExporter } from './cache-usage.exporter';
import { CompanyCacheEraser } from './company-cache.eraser';
import { CachedResponseFastPath } from './http/cached-response.fast-path';
import { TenantCacheInterceptor } from './http/tenant-cache.interceptor';
import { GenerationInvalidator } from './generation-invalidator';
import { LayeredCacheService } from './layered-cache.service';
import { CacheInvalidator } from './ports/cache-invalidator.port';
import { CacheStore } from './ports/cache-store.port';
import { LayeredCache } from './ports/layered-cache.port';

/** The shared store behind the in-process near cache, unless CACHE_NEAR_MAX_ENTRIES=0. */
function nearCached(store: CacheStore, config: AppConfig): CacheStore {
  const { maxEntries, ttlMs } = config.cache.near;
  return maxEntries > 0 ? new NearCacheStore(store, { maxEntries, ttlMs }) : store;
}

/**
 * The layered, tenant-safe cache. Services mode (REDIS_URL): cache-manager 7 + Keyv + @keyv/redis, not
 * cache-manager-redis-yet, which only supports cache-manager 5. Embedded mode: @nestjs/cache-manager's
 * CACHE_MANAGER over an LRU memory Keyv (@cacheable/memory, CACHE_MEMORY_MAX_ENTRIES). Global: every module injects `LayeredCache` (and the stats service for savings).
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    EventsModule,
    // The embedded store's cache-manager; in services mode it stays empty (the Redis store has its own).
    NestCacheModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ stores: [lruMemoryKeyv(config.cache.memoryMaxEntries)] }),
    }),
  ],
  controllers: [AdminCacheController],
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
    {
      provide: CacheGuard,
      inject: [AppConfig, MetricsService],
      useFactory: (config: AppConfig, metrics: MetricsService) =>
        new CacheGuard({
          timeoutMs: config.cache.opTimeoutMs,
          threshold: config.cache.breaker.threshold,
          halfOpenAfterMs: config.cache.breaker.halfOpenAfterMs,
          onStateChange: (state) => metrics.setBreakerState({ upstream: 'cache', state }),
        }),
    },
    CacheStatsService,
    CacheRecorder,
    CacheEntries,
    { provide: CacheInvalidator, useClass: GenerationInvalidator },
    LayeredCacheService,
    { provide: LayeredCache, useExisting: LayeredCacheService },
    TenantCacheInterceptor,
    CachedResponseFastPath,
    CacheInvalidationListener,
    // The company export's cache counters (CompanyExporter, found by discovery).
    CacheUsageExporter,
    CompanyCacheEraser,
  ],
  exports: [LayeredCache, LayeredCacheService, CacheStatsService, TenantCacheInterceptor],
})
export class CacheModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly store: CacheStore,
    private readonly guard: CacheGuard,
    private readonly health: DependencyHealth,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Not required: with the cache down every lookup is a miss and requests still succeed.
    this.health.register(
      'cache',
      async () => {
        const up = await this.guard.run('ping', () => this.store.ping()).catch(() => false);
        return {
          up,
          detail: { store: this.store.kind, breaker: this.guard.state, enabled: this.config.cache.enabled },
        };
      },
      { required: false },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

import { Global, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../../config/config';
import { EventsModule } from '../events/events.module';
import { DependencyHealth } from '../health/dependency.health';
import { MetricsService } from '../metrics/metrics.service';
import { AdminCacheController } from './admin/admin-cache.controller';
import { CacheStoreModule } from '../cache-store/cache-store.module';
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
import { CacheStore } from '../cache-store/ports/cache-store.port';
import { LayeredCache } from './ports/layered-cache.port';

/**
 * The layered, tenant-safe cache over the store of `cache-store/` (Redis behind a near cache, or LRU memory):
 * keys and generations, invalidation, the response interceptor and fast path, stats and the admin routes.
 * Global: every module injects `LayeredCache` (and the stats service for savings).
 */
@Global()
@Module({
  imports: [DiscoveryModule, EventsModule, CacheStoreModule],
  controllers: [AdminCacheController],
  providers: [
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

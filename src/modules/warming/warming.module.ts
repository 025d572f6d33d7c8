import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { RedisConnection } from '../../common/redis/redis-connection.adapter';
import { AppConfig } from '../../config/config';
import { MemoryPopularityStore } from './adapters/memory.popularity-store.adapter';
import { MemoryWarmLock } from './adapters/memory.warm-lock.adapter';
import { RedisPopularityStore } from './adapters/redis.popularity-store.adapter';
import { RedisWarmLock } from './adapters/redis.warm-lock.adapter';
import { AdminCacheWarmController } from './admin-cache-warm.controller';
import { CacheWarmProcessor } from './cache-warm.processor';
import { CacheWarmer } from './cache-warmer.service';
import { NightlyWarmScheduler } from './nightly-warm.scheduler';
import { PopularityStore } from './ports/popularity-store.port';
import { WarmLock } from './ports/warm-lock.port';
import { QueryPopularity } from './query-popularity.service';
import { PopularityEraser } from './popularity.eraser';
import { WarmJobs } from './warm-jobs.service';

/**
 * Popularity tracking and the warmer registry. Static, so every importer (search, assist) shares one
 * registry: search registers its `search` warmer and assist its `answer` warmer into the CacheWarmer
 * exported here.
 */
@Module({
  providers: [
    {
      provide: PopularityStore,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection) =>
        redis.client ? new RedisPopularityStore(redis.client, redis.keyPrefix) : new MemoryPopularityStore(),
    },
    {
      provide: WarmLock,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection) =>
        redis.client ? new RedisWarmLock(redis.client, redis.keyPrefix) : new MemoryWarmLock(),
    },
    QueryPopularity,
    CacheWarmer,
    PopularityEraser,
  ],
  exports: [QueryPopularity, CacheWarmer],
})
export class WarmingModule {}

/**
 * The warm job: `POST /api/v1/admin/cache/warm/{company_id}` (API roles) enqueues it, the processor and the
 * nightly schedule run in worker roles. Jobs ride the application's one queue (JobsModule, global).
 */
@Module({})
export class WarmingJobsModule {
  static register(config: AppConfig): DynamicModule {
    const { role } = config.app;
    const runsJobs = role !== 'api';
    const servesApi = role !== 'worker';
    return {
      module: WarmingJobsModule,
      imports: [WarmingModule, ...(runsJobs ? [ScheduleModule.forRoot()] : [])],
      controllers: servesApi ? [AdminCacheWarmController] : [],
      providers: [WarmJobs, ...(runsJobs ? [CacheWarmProcessor, NightlyWarmScheduler] : [])],
    };
  }
}

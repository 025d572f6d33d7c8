import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { createValidationPipe } from './common/http/validation';
import { companyThrottler, CompanyThrottlerGuard } from './common/rate-limit/company-throttler.guard';
import { RedisThrottlerStorage } from './common/rate-limit/redis-throttler-storage.adapter';
import { RedisConnection } from './common/redis/redis-connection.adapter';
import { RedisModule } from './common/redis/redis.module';
import { AuthGuard } from './modules/auth/auth.guard';
import { AppConfig } from './config/config';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './modules/admin/admin.module';
import { AssistCoreModule } from './modules/assist/assist-core.module';
import { AssistModule } from './modules/assist/assist.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CacheGuard } from './common/async/cache-guard';
import { CacheModule } from './modules/cache/cache.module';
import { ErasureModule } from './modules/erasure/erasure.module';
import { EventsModule } from './modules/events/events.module';
import { HealthModule } from './modules/health/health.module';
import { IngestModule } from './modules/ingest/ingest.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { MetricsService } from './modules/metrics/metrics.service';
import { RetentionModule } from './modules/retention/retention.module';
import { SearchModule } from './modules/search/search.module';
import { TicketsModule } from './modules/tickets/tickets.module';
import { WarmingJobsModule } from './modules/warming/warming.module';

@Module({})
export class ConfigHostModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ConfigHostModule,
      global: true,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}

/**
 * Composes the application for a role: `api` serves HTTP and only produces jobs, `worker` runs the
 * processors (with its own health port), `all` does both. One build, one entry point.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig, logger: PinoLogger): DynamicModule {
    const serveApi = config.app.role !== 'worker';
    const providers: Provider[] = [
      { provide: APP_FILTER, useClass: AllExceptionsFilter },
      { provide: APP_PIPE, useFactory: createValidationPipe },
      // Order matters: authenticate (sets the company) before limiting per company.
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_GUARD, useClass: CompanyThrottlerGuard },
    ];
    return {
      module: AppModule,
      imports: [
        ConfigHostModule.register(config),
        // Nest's logs go to the root logger; inside a request they carry its id (common/logging/request-context:
        // a Fastify hook, not a Nest middleware). The access lines are written by a Fastify hook too, which also
        // sees requests no middleware reaches. nestjs-pino's own middleware (pino-http: a child logger bound to
        // every request, through Nest's middleware layer) is applied to no route: it was a quarter of a cached
        // request's CPU (BENCHMARKS.md).
        LoggerModule.forRoot({
          pinoHttp: { logger },
          forRoutes: [],
        }),
        DatabaseModule,
        RedisModule,
        AuthModule,
        AuditModule.register({ serveApi }),
        HealthModule,
        MetricsModule,
        EventsModule,
        CacheModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, RedisConnection, MetricsService],
          useFactory: (cfg: AppConfig, redis: RedisConnection, metrics: MetricsService) => ({
            throttlers: [companyThrottler(cfg)],
            storage: redis.client
              ? new RedisThrottlerStorage(
                  redis,
                  // The cache's bounds: every rate-limit call to Redis has the same timeout and a breaker.
                  new CacheGuard({
                    timeoutMs: cfg.cache.opTimeoutMs,
                    threshold: cfg.cache.breaker.threshold,
                    halfOpenAfterMs: cfg.cache.breaker.halfOpenAfterMs,
                    onStateChange: (state) => metrics.setBreakerState({ upstream: 'ratelimit', state }),
                  }),
                  { syncMs: cfg.app.rateLimitSyncMs },
                )
              : undefined,
          }),
        }),
        ...(serveApi ? [TicketsModule, AdminModule, SearchModule, AssistModule] : []),
        // Every role: /init bundles are prefetched where tickets are indexed.
        AssistCoreModule,
        // The one job queue: ingest and warm jobs ride it (global).
        JobsModule.register(config),
        IngestModule.register(config),
        WarmingJobsModule.register(config),
        RetentionModule.register(config),
        ErasureModule.register(config),
      ],
      providers,
    };
  }
}

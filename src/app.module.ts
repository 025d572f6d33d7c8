import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { createValidationPipe } from './common/http/validation';
import { CompanyThrottlerGuard } from './common/rate-limit/company-throttler.guard';
import { RedisThrottlerStorage } from './common/rate-limit/redis-throttler-storage.adapter';
import { RedisConnection } from './common/redis/redis-connection.adapter';
import { RedisModule } from './common/redis/redis.module';
import { AuthGuard } from './common/tenancy/auth.guard';
import { AppConfig } from './config/config';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './modules/admin/admin.module';
import { AssistCoreModule } from './modules/assist/assist-core.module';
import { AssistModule } from './modules/assist/assist.module';
import { AuthModule } from './modules/auth/auth.module';
import { CacheModule } from './modules/cache/cache.module';
import { CacheWarmingJobsModule } from './modules/cache/warming/cache-warming.module';
import { HealthModule } from './modules/health/health.module';
import { IngestModule } from './modules/ingest/ingest.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { SearchModule } from './modules/search/search.module';
import { TicketsModule } from './modules/tickets/tickets.module';

@Module({})
export class ConfigHostModule {
  static register(config: AppConfig): DynamicModule {
    return { module: ConfigHostModule, global: true, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}

/**
 * Composes the application for a role: `api` serves HTTP and only produces jobs, `worker` runs the
 * processors (with its own health port), `all` does both. One build, one entry point.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    const serveApi = config.app.role !== 'worker';
    // One instance of the ingest module (and its queue), shared with the cache-warming jobs.
    const ingest = IngestModule.register(config);
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
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.app.logLevel,
            transport: config.app.logPretty ? { target: 'pino-pretty' } : undefined,
            genReqId: (req: IncomingMessage) => String(req.headers['x-request-id']),
            customProps: (req: IncomingMessage) => ({
              company_id: (req as IncomingMessage & { companyId?: string }).companyId,
            }),
            autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
          },
        }),
        DatabaseModule,
        RedisModule,
        AuthModule,
        HealthModule,
        MetricsModule,
        CacheModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, RedisConnection],
          useFactory: (cfg: AppConfig, redis: RedisConnection) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: cfg.app.rateLimitPerMinute }],
            storage: redis.client ? new RedisThrottlerStorage(redis) : undefined,
          }),
        }),
        ...(serveApi ? [TicketsModule, AdminModule, SearchModule, AssistModule] : []),
        // Every role: /init bundles are prefetched where tickets are indexed.
        AssistCoreModule,
        ingest,
        // After the ingest module: the warm job rides its queue.
        CacheWarmingJobsModule.register({ config, ingest }),
      ],
      providers,
    };
  }
}

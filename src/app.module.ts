import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { EventsModule } from './modules/events/events.module';
import { HealthModule } from './modules/health/health.module';
import { IngestModule } from './modules/ingest/ingest.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { MetricsService } from './modules/metrics/metrics.service';
import { SearchModule } from './modules/search/search.module';
import { TicketsModule } from './modules/tickets/tickets.module';
import { WarmingJobsModule } from './modules/warming/warming.module';

type TimedRequest = IncomingMessage & { receivedAt?: number };
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * The level of a request's completion log: `error` for failures (5xx or an error), `info` otherwise. A
 * request whose level is below LOG_LEVEL is `silent` (pino-http then skips building the log line and its
 * child logger), and so is a successful (< 400) one faster than LOG_SUCCESS_MIN_MS when that is set:
 * errors and slow requests are still logged.
 */
export function requestLogLevel(
  config: AppConfig,
): (req: IncomingMessage, res: ServerResponse, err?: Error) => 'error' | 'info' | 'silent' {
  const threshold = LEVELS.indexOf(config.app.logLevel);
  const enabled = (level: string) => threshold >= 0 && LEVELS.indexOf(level) >= threshold;
  const minMs = config.app.logSuccessMinMs;
  return (req, res, err) => {
    if (err || res.statusCode >= 500) return enabled('error') ? 'error' : 'silent';
    if (!enabled('info')) return 'silent';
    if (minMs > 0 && res.statusCode < 400 && Date.now() - ((req as TimedRequest).receivedAt ?? 0) < minMs)
      return 'silent';
    return 'info';
  };
}

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
  static register(config: AppConfig): DynamicModule {
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
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.app.logLevel,
            transport: config.app.logPretty ? { target: 'pino-pretty' } : undefined,
            genReqId: (req: IncomingMessage) => {
              (req as TimedRequest).receivedAt = Date.now();
              return String(req.headers['x-request-id']);
            },
            customProps: (req: IncomingMessage) => ({
              company_id: (req as IncomingMessage & { companyId?: string }).companyId,
            }),
            customLogLevel: requestLogLevel(config),
            autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
          },
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
      ],
      providers,
    };
  }
}

import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsIntString, IsPortString } from './validators';

export type AppRole = 'all' | 'api' | 'worker';

class AppEnv {
  @IsOptional() @IsIn(['all', 'api', 'worker'], { message: 'must be one of all, api, worker' }) APP_ROLE?: string =
    undefined;
  @IsOptional() @IsPortString() PORT?: string = undefined;
  @IsOptional() @IsPortString() WORKER_PORT?: string = undefined;
  @IsOptional() @IsString() HOST?: string = undefined;
  @IsOptional() @IsString() DATA_DIR?: string = undefined;
  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' }) ADMIN_API_KEY?: string =
    undefined;
  @IsOptional() @IsIntString(1) BODY_LIMIT_BYTES?: string = undefined;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL?: string = undefined;
  @IsOptional() @IsBoolString() LOG_PRETTY?: string = undefined;
  @IsOptional() @IsIntString(1) SHUTDOWN_GRACE_MS?: string = undefined;
  @IsOptional() @IsIntString(0) SHUTDOWN_DRAIN_MS?: string = undefined;
  @IsOptional() @IsIntString(1) RATE_LIMIT_PER_MINUTE?: string = undefined;
  @IsOptional() @IsIntString(1) AUTH_CACHE_TTL_MS?: string = undefined;
  @IsOptional() @IsIntString(0) AUTH_STALE_MAX_MS?: string = undefined;
  @IsOptional() @IsIntString(1) RATE_LIMIT_SYNC_MS?: string = undefined;
  @IsOptional() @IsIntString(0) LOG_SUCCESS_MIN_MS?: string = undefined;
  @IsOptional() @IsBoolString() SWAGGER_ENABLED?: string = undefined;
  @IsOptional() @IsIntString(0) HEAP_GROWING_PERCENT?: string = undefined;
}

export interface AppSettings {
  role: AppRole;
  host: string;
  port: number;
  workerPort: number;
  dataDir: string;
  adminApiKey?: string;
  bodyLimitBytes: number;
  logLevel: string;
  logPretty: boolean;
  shutdownGraceMs: number;
  /**
   * After SIGTERM the API reports not-ready and keeps accepting for this long before it closes its listener, so
   * connections already queued in the kernel's accept backlog (or routed by a balancer that has not yet seen the
   * readiness change) are answered instead of reset.
   */
  shutdownDrainMs: number;
  rateLimitPerMinute: number;
  /** A busy company's rate-limit count is synced with Redis at least this often (batched, not per request). */
  rateLimitSyncMs: number;
  /** Successful (< 400) requests faster than this are not logged; 0 logs every request. Errors always are. */
  logSuccessMinMs: number;
  /** How long a resolved API key stays in the in-process cache; revocation is also broadcast. */
  authCacheTtlMs: number;
  /**
   * While the database cannot be reached, a key that resolved to a company within this long is still accepted
   * (stale-if-error); keys seen revoked or unknown stay refused. 0 turns it off.
   */
  authStaleMaxMs: number;
  swaggerEnabled: boolean;
  /**
   * After each full GC, V8 lets the old generation grow to live × (1 + this/100) before the next one (V8's
   * --heap-growing-percent). 0 keeps V8's own factor, which under a long burst of short-lived request data
   * (bulk PUT bodies, ingest chunks) lets garbage take the heap to 2-3× the live set.
   */
  heapGrowingPercent: number;
}

export const appConfig = defineConfig<AppEnv, AppSettings>('app', AppEnv, (env) => ({
  role: (env.APP_ROLE as AppRole | undefined) ?? 'all',
  host: env.HOST ?? '0.0.0.0',
  port: toInt(env.PORT, 3000),
  workerPort: toInt(env.WORKER_PORT, 3001),
  dataDir: env.DATA_DIR ?? './data',
  adminApiKey: env.ADMIN_API_KEY,
  bodyLimitBytes: toInt(env.BODY_LIMIT_BYTES, 10 * 1024 * 1024),
  logLevel: env.LOG_LEVEL ?? 'info',
  logPretty: toBool(env.LOG_PRETTY, false),
  shutdownGraceMs: toInt(env.SHUTDOWN_GRACE_MS, 10_000),
  shutdownDrainMs: toInt(env.SHUTDOWN_DRAIN_MS, 1_000),
  rateLimitPerMinute: toInt(env.RATE_LIMIT_PER_MINUTE, 600),
  rateLimitSyncMs: toInt(env.RATE_LIMIT_SYNC_MS, 100),
  logSuccessMinMs: toInt(env.LOG_SUCCESS_MIN_MS, 0),
  authCacheTtlMs: toInt(env.AUTH_CACHE_TTL_MS, 1000),
  authStaleMaxMs: toInt(env.AUTH_STALE_MAX_MS, 15 * 60_000),
  swaggerEnabled: toBool(env.SWAGGER_ENABLED, true),
  heapGrowingPercent: toInt(env.HEAP_GROWING_PERCENT, 50),
}));

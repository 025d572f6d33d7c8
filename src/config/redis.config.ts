import { IsOptional, Matches } from 'class-validator';
import { defineConfig, toInt } from './define-config';
import { IsIntString, IsRedisUrl } from './validators';

class RedisEnv {
  @IsOptional() @IsRedisUrl() REDIS_URL?: string = undefined;
  @IsOptional() @IsRedisUrl() QUEUE_REDIS_URL?: string = undefined;
  @IsOptional() @IsIntString(1) REDIS_COMMAND_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(100) REDIS_SOCKET_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(3000) QUEUE_REDIS_SOCKET_TIMEOUT_MS?: string = undefined;
  @IsOptional() @Matches(/^[A-Za-z0-9_:-]{0,40}$/, { message: 'must be up to 40 characters of A-Z, a-z, 0-9, _, : and -' })
  REDIS_KEY_PREFIX?: string = undefined;
}

export interface RedisSettings {
  /** Cache, rate limits, pub/sub. Absent: embedded in-memory equivalents. */
  url?: string;
  /** Bull queues (a `noeviction` Redis). Defaults to `url`. Absent: in-process queue. */
  queueUrl?: string;
  commandTimeoutMs: number;
  /**
   * A cache Redis connection that has been waiting this long for a reply is dropped and opened again: a hung or
   * partitioned server keeps the socket open, and without this the client would wait on it forever.
   */
  socketTimeoutMs: number;
  /** The same for the queue's connections; above Bull's blocking wait (`queueBlockingWaitSeconds`). */
  queueSocketTimeoutMs: number;
  /** Prepended to every cache and rate-limit key, so deployments (or test runs) can share one Redis. */
  keyPrefix: string;
}

/** Bull's BRPOPLPUSH waits this long for a job: well under the queue socket timeout, so an idle wait is not a hang. */
export function queueBlockingWaitSeconds(settings: Pick<RedisSettings, 'queueSocketTimeoutMs'>): number {
  return Math.max(1, Math.floor(settings.queueSocketTimeoutMs / 3_000));
}

export const redisConfig = defineConfig<RedisEnv, RedisSettings>('redis', RedisEnv, (env) => ({
  url: env.REDIS_URL,
  queueUrl: env.QUEUE_REDIS_URL ?? env.REDIS_URL,
  commandTimeoutMs: toInt(env.REDIS_COMMAND_TIMEOUT_MS, 250),
  socketTimeoutMs: toInt(env.REDIS_SOCKET_TIMEOUT_MS, 2_000),
  queueSocketTimeoutMs: toInt(env.QUEUE_REDIS_SOCKET_TIMEOUT_MS, 6_000),
  keyPrefix: env.REDIS_KEY_PREFIX ?? '',
}));

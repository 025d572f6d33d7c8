import { IsOptional } from 'class-validator';
import { defineConfig, toInt } from './define-config';
import { IsIntString, IsRedisUrl } from './validators';

class RedisEnv {
  @IsOptional() @IsRedisUrl() REDIS_URL?: string = undefined;
  @IsOptional() @IsRedisUrl() QUEUE_REDIS_URL?: string = undefined;
  @IsOptional() @IsIntString(1) REDIS_COMMAND_TIMEOUT_MS?: string = undefined;
}

export interface RedisSettings {
  /** Cache, rate limits, pub/sub. Absent: embedded in-memory equivalents. */
  url?: string;
  /** Bull queues (a `noeviction` Redis). Defaults to `url`. Absent: in-process queue. */
  queueUrl?: string;
  commandTimeoutMs: number;
}

export const redisConfig = defineConfig<RedisEnv, RedisSettings>('redis', RedisEnv, (env) => ({
  url: env.REDIS_URL,
  queueUrl: env.QUEUE_REDIS_URL ?? env.REDIS_URL,
  commandTimeoutMs: toInt(env.REDIS_COMMAND_TIMEOUT_MS, 250),
}));

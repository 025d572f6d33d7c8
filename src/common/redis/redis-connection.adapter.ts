import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/config';

/**
 * The shared connection to the cache Redis (REDIS_URL), or null in embedded mode. Commands fail fast
 * instead of queueing while disconnected, and every command is bounded by REDIS_COMMAND_TIMEOUT_MS, so a
 * dead Redis turns into errors that callers degrade on, never into hung requests.
 */
@Injectable()
export class RedisConnection implements OnModuleDestroy {
  private readonly logger = new Logger('Redis');
  readonly client: Redis | null;
  readonly keyPrefix: string;

  constructor(config: AppConfig) {
    const url = config.redis.url;
    this.keyPrefix = config.redis.keyPrefix;
    this.client = url
      ? new Redis(url, {
          enableOfflineQueue: false,
          commandTimeout: config.redis.commandTimeoutMs,
          // Long on purpose: see bullClient in ingest.module.ts; commands stay bounded by commandTimeout.
          connectTimeout: 30_000,
          maxRetriesPerRequest: 1,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
          lazyConnect: false,
        })
      : null;
    this.client?.on('error', (error) => this.logger.warn(`redis: ${error.message}`));
  }

  get ready(): boolean {
    return this.client?.status === 'ready';
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.client) return;
    await this.client.quit().catch(() => this.client?.disconnect());
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/config';

/**
 * The shared connection to the cache Redis (REDIS_URL), or null in embedded mode. Commands fail fast
 * instead of queueing while disconnected, and every command is bounded by REDIS_COMMAND_TIMEOUT_MS, so a
 * dead Redis turns into errors that callers degrade on, never into hung requests; a hung one is reconnected
 * after REDIS_SOCKET_TIMEOUT_MS without a reply.
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
          // Long on purpose: see bullClient in jobs.module.ts; commands stay bounded by commandTimeout.
          connectTimeout: 30_000,
          // commandTimeout fails a command but keeps the socket: a hung server (SIGSTOP, a partition, a failover
          // the socket never heard of) would fail every later command too. No reply for this long: reconnect.
          socketTimeout: config.redis.socketTimeoutMs,
          keepAlive: 10_000,
          maxRetriesPerRequest: 1,
          retryStrategy: (attempt) => Math.min(attempt * 200, 1_000),
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

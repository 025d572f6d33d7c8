import { Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { RedisConnection } from '../redis/redis-connection.adapter';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/** Fixed window per key: one round trip (INCR, PEXPIRE on first hit, PTTL). */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}`;

/**
 * Shared rate-limit counters in Redis so every API instance enforces one per-company limit. When Redis is
 * unreachable the limit falls back to this instance's memory: requests keep flowing, limited per instance.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly fallback = new ThrottlerStorageService();
  private warned = false;

  constructor(private readonly redis: RedisConnection) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const client = this.redis.client;
    if (client && this.redis.ready) {
      try {
        const [hits, pttl] = (await client.eval(INCREMENT_SCRIPT, 1, `${this.redis.keyPrefix}ratelimit:${key}`, String(ttl))) as [
          number,
          number,
        ];
        this.warned = false;
        const seconds = Math.max(1, Math.ceil(pttl / 1000));
        const isBlocked = hits > limit;
        return { totalHits: hits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
      } catch (error) {
        if (!this.warned) this.logger.warn(`rate limit store unavailable, limiting per instance: ${String(error)}`);
        this.warned = true;
      }
    }
    return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
  }
}

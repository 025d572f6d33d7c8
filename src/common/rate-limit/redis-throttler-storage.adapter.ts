import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { CacheGuard } from '../async/cache-guard';
import { RedisConnection } from '../redis/redis-connection.adapter';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/** Fixed window per key, one round trip: INCRBY the batch, PEXPIRE on a new window, PTTL. */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}`;

/** One key's window as this instance knows it: the shared total at the last sync plus what it counted since. */
interface LocalWindow {
  /** The shared count (all instances) returned by the last sync. */
  total: number;
  /** Requests this instance let through since, not yet added to the shared count. */
  pending: number;
  syncedAt: number;
  /** When the shared window ends, as of the last sync. */
  endsAt: number;
  /** The window's length, for a batch that reaches Redis after the window ended. */
  ttl: number;
  flushing: boolean;
}

export interface BatchedLimiterOptions {
  /** The batch interval; a synced count is trusted for twice this before a request syncs inline again. */
  syncMs: number;
  /** Requests are only counted locally while this share of the limit is still free. */
  headroom: number;
  maxKeys: number;
}

const DEFAULTS: BatchedLimiterOptions = { syncMs: 100, headroom: 0.1, maxKeys: 10_000 };

/**
 * Shared rate-limit counters in Redis so every API instance enforces one per-company limit, without a Redis
 * round trip per request. A request syncs (adds this instance's uncounted requests and itself to the shared
 * window, reads the total back) when the last sync is older than 2 × `syncMs`, the window has ended, or the
 * count is within `headroom` of the limit; otherwise it is counted locally and the batch is added within
 * `syncMs`. So a busy company costs ~10 Redis calls a second per instance, an idle one a call per request as
 * before, the limit is exact on one instance, and instances together overshoot by at most what they admit
 * within one sync interval below the headroom. Every call has the cache's timeout and breaker; when Redis is
 * unreachable the limit falls back to this instance's memory: requests keep flowing, limited per instance.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly fallback = new ThrottlerStorageService();
  private readonly windows = new Map<string, LocalWindow>();
  private readonly options: BatchedLimiterOptions;
  private flushTimer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly guard: CacheGuard,
    options: Partial<BatchedLimiterOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  onModuleDestroy(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.fallback.onApplicationShutdown();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!this.redis.client || !this.redis.ready) {
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    const now = Date.now();
    const local = this.windows.get(key);
    if (
      local &&
      // Twice the batch interval: the batch flush itself renews the sync, so a busy key rarely syncs inline.
      now - local.syncedAt < 2 * this.options.syncMs &&
      now < local.endsAt &&
      local.total + local.pending + 1 <= limit - Math.ceil(limit * this.options.headroom)
    ) {
      local.pending += 1;
      this.scheduleFlush();
      return record(local.total + local.pending, local.endsAt - now, limit);
    }
    try {
      const synced = await this.sync(key, ttl, 1);
      return record(synced.total + synced.pending, synced.endsAt - Date.now(), limit);
    } catch (error) {
      if (!this.warned)
        this.logger.warn(`rate limit store unavailable, limiting per instance: ${String(error)}`);
      this.warned = true;
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  /** Adds this instance's uncounted requests (and `extra`) to the shared window and reads its total back. */
  private async sync(key: string, ttl: number, extra: number): Promise<LocalWindow> {
    const client = this.redis.client;
    if (!client) throw new Error('no Redis');
    let local = this.windows.get(key);
    if (!local) {
      if (this.windows.size >= this.options.maxKeys) this.evictOne();
      local = { total: 0, pending: 0, syncedAt: 0, endsAt: 0, ttl, flushing: false };
      this.windows.set(key, local);
    }
    const adding = local.pending + extra;
    local.pending = 0;
    let result: [number, number];
    try {
      result = (await this.guard.run('ratelimit', () =>
        client.eval(
          INCREMENT_SCRIPT,
          1,
          `${this.redis.keyPrefix}ratelimit:${key}`,
          String(ttl),
          String(adding),
        ),
      )) as [number, number];
    } catch (error) {
      // Not added: the requests stay this instance's to report on the next sync (the extra one is decided elsewhere).
      local.pending += adding - extra;
      throw error;
    }
    const [hits, pttl] = result;
    const now = Date.now();
    // Concurrent syncs of one key may answer out of order: within one window the larger total is the later one.
    if (now >= local.endsAt || hits > local.total) local.total = hits;
    local.syncedAt = now;
    local.endsAt = now + pttl;
    this.warned = false;
    return local;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.syncMs);
    this.flushTimer.unref();
  }

  /** Adds every key's locally counted requests to the shared windows; drops windows that have ended. */
  private async flush(): Promise<void> {
    const now = Date.now();
    const syncs: Array<Promise<unknown>> = [];
    for (const [key, local] of this.windows) {
      if (local.pending === 0) {
        if (now >= local.endsAt) this.windows.delete(key);
        continue;
      }
      if (local.flushing) continue;
      local.flushing = true;
      syncs.push(
        this.sync(key, local.ttl, 0)
          .catch(() => undefined)
          .finally(() => {
            local.flushing = false;
          }),
      );
    }
    await Promise.all(syncs);
  }

  private evictOne(): void {
    for (const [key, local] of this.windows) {
      if (local.pending === 0 && !local.flushing) {
        this.windows.delete(key);
        return;
      }
    }
    const oldest = this.windows.keys().next().value;
    if (oldest !== undefined) this.windows.delete(oldest);
  }
}

function record(totalHits: number, msToExpire: number, limit: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(msToExpire / 1000));
  const isBlocked = totalHits > limit;
  return { totalHits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
}

import { CacheGuard } from '../async/cache-guard';
import type { RedisConnection } from '../redis/redis-connection.adapter';
import { RedisThrottlerStorage } from './redis-throttler-storage.adapter';

/** The increment script's effect on one Redis: INCRBY, a window set on first hit, PTTL. Counts round trips. */
class FakeRedis {
  readonly counts = new Map<string, { hits: number; endsAt: number }>();
  calls = 0;
  down = false;

  async eval(
    _script: string,
    _keys: number,
    key: string,
    ttl: string,
    by: string,
  ): Promise<[number, number]> {
    this.calls += 1;
    if (this.down) throw new Error('connection refused');
    const now = Date.now();
    let entry = this.counts.get(key);
    if (!entry || now >= entry.endsAt) {
      entry = { hits: 0, endsAt: now + Number(ttl) };
      this.counts.set(key, entry);
    }
    entry.hits += Number(by);
    return [entry.hits, entry.endsAt - now];
  }
}

function storage(redis: FakeRedis, syncMs = 50): RedisThrottlerStorage {
  const connection = { client: redis, ready: true, keyPrefix: 't:' } as unknown as RedisConnection;
  const guard = new CacheGuard({ timeoutMs: 50, threshold: 5, halfOpenAfterMs: 1_000 });
  return new RedisThrottlerStorage(connection, guard, { syncMs });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisThrottlerStorage (batched)', () => {
  it('is exact on one instance: the limit-th request passes, the next is blocked', async () => {
    const redis = new FakeRedis();
    const limiter = storage(redis);
    const results = [];
    for (let i = 0; i < 7; i += 1) results.push(await limiter.increment('k', 60_000, 5, 0, 'default'));
    expect(results.map((r) => r.isBlocked)).toEqual([false, false, false, false, false, true, true]);
    expect(results.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(results[5].timeToBlockExpire).toBeGreaterThan(0);
    limiter.onModuleDestroy();
  });

  it('counts a busy key locally and adds the batch to Redis within the sync interval', async () => {
    const redis = new FakeRedis();
    const limiter = storage(redis, 30);
    for (let i = 0; i < 200; i += 1) await limiter.increment('busy', 60_000, 10_000, 0, 'default');
    expect(redis.calls).toBeLessThan(5);
    await sleep(80);
    expect(redis.counts.get('t:ratelimit:busy')?.hits).toBe(200);
    limiter.onModuleDestroy();
  });

  it('sees the other instances’ requests at each sync: two instances share one limit', async () => {
    const redis = new FakeRedis();
    const a = storage(redis, 20);
    const b = storage(redis, 20);
    for (let i = 0; i < 60; i += 1) await a.increment('shared', 60_000, 100, 0, 'default');
    await sleep(50);
    const outcomes = [];
    for (let i = 0; i < 50; i += 1) outcomes.push(await b.increment('shared', 60_000, 100, 0, 'default'));
    // B starts from A's 60: its 41st request is the 101st of the window.
    expect(outcomes.findIndex((r) => r.isBlocked)).toBe(40);
    a.onModuleDestroy();
    b.onModuleDestroy();
  });

  it('fails open to a per-instance limit when Redis fails', async () => {
    const redis = new FakeRedis();
    redis.down = true;
    const limiter = storage(redis);
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await limiter.increment('down', 60_000, 3, 0, 'default'));
    expect(results.map((r) => r.isBlocked)).toEqual([false, false, false, true]);
    limiter.onModuleDestroy();
  });
});

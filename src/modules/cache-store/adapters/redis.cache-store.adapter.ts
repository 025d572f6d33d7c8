import { Logger } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { createCache, Cache } from 'cache-manager';
import type Redis from 'ioredis';
import { randomInt } from 'node:crypto';
import { Keyv } from 'keyv';
import { CacheStore, CounterIncrements, Generations, StoreInfo } from '../ports/cache-store.port';

const GENERATIONS = 'cachegen:';
/** Where a generation field starts when the hash does not hold it (see bumpGenerations): far from small counts. */
const GENERATION_BASE_MIN = 1_000_000;
const GENERATION_BASE_MAX = 2 ** 31;
const CHANGED_CHANNEL = 'cachegen:changed';

type NodeRedisClient = ReturnType<typeof createClient>;

/**
 * Services mode. Values: cache-manager 7 + Keyv + @keyv/redis, whose node-redis client never queues while
 * disconnected (`disableOfflineQueue`: a command fails at once instead of waiting for a reconnect, which is
 * what made a plain cache-manager get hang for seconds with Redis stopped) and keeps reconnecting in the
 * background. Serialized HTTP responses are plain strings on the same client (GET/SET PX, no Keyv envelope to
 * parse). Generations (HINCRBY), counters, SCAN/UNLINK sweeps, INFO and pub/sub use the shared ioredis
 * connection (no offline queue, command timeout). Every key gets the deployment's prefix.
 *
 * A hung server (SIGSTOP, a partition, a failover the socket never heard of) keeps sockets open without
 * answering. ioredis drops such a socket itself (`socketTimeout`); node-redis has no reply timeout that
 * reconnects, so a watchdog pings the value client and reopens it after `socketTimeoutMs` without a reply.
 */
export class RedisCacheStore extends CacheStore {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger('CacheStore');
  private readonly valueClient: NodeRedisClient;
  private readonly cache: Cache;
  private readonly subscriber: Redis;
  private readonly listeners: Array<(companyId: string) => void> = [];
  private readonly announcementListeners: Array<(live: boolean) => void> = [];
  private subscribed = false;
  private lastError = 0;
  private readonly watchdog: NodeJS.Timeout;
  private lastReplyAt = Date.now();
  private lastReopenAt = 0;
  private pinging = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: {
      url: string;
      keyPrefix: string;
      connectTimeoutMs: number;
      socketTimeoutMs: number;
    },
  ) {
    super();
    this.valueClient = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        // An idle timer (writes reset it too): it ends a handshake that hangs (nothing is written meanwhile);
        // a ready connection is never idle (the watchdog's pings), so a silent one is left to the watchdog.
        socketTimeout: options.socketTimeoutMs,
        // Capped at 1 s: after a hung server resumes, the next attempt is never more than a second away.
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 1_000),
      },
    });
    this.valueClient.on('error', (error: Error) => this.warn(`value client: ${error.message}`));
    this.valueClient.on('ready', () => (this.lastReplyAt = Date.now()));
    // Not awaited: a Redis that is down at boot must not stop the app; the client keeps retrying.
    this.valueClient.connect().catch((error: Error) => this.warn(`value client connect: ${error.message}`));
    const store = new KeyvRedis(this.valueClient, { throwOnConnectError: false, throwOnErrors: true });
    store.on('error', () => undefined);
    // Values are plain JSON (no Buffers, no strings that need @keyv/serialize's escaping: ENTRY_FORMAT in the key
    // builder); the engine's JSON.stringify and JSON.parse cost a fraction of the default serializer's walk.
    const keyv = new Keyv({
      store,
      namespace: undefined,
      useKeyPrefix: false,
      throwOnErrors: true,
      serialize: (data) => JSON.stringify(data),
      deserialize: (text) => JSON.parse(text) as ReturnType<typeof JSON.parse>,
    });
    keyv.on('error', () => undefined);
    this.cache = createCache({ stores: [keyv] });

    this.subscriber = redis.duplicate();
    this.subscriber.on('error', (error: Error) => this.warn(`subscriber: ${error.message}`));
    // ioredis re-subscribes after a reconnect; the first subscribe waits for the connection. Bumps announced
    // while the subscriber is away are lost: its drops and returns are told to the announcement listeners.
    let subscribing = false;
    this.subscriber.on('ready', () => {
      if (this.subscribed) return this.setAnnouncing(true);
      if (subscribing) return;
      subscribing = true;
      this.subscriber
        .subscribe(this.k(CHANGED_CHANNEL))
        .then(() => {
          this.subscribed = true;
          this.setAnnouncing(true);
        })
        .catch((error: Error) => this.warn(`subscribe: ${error.message}`))
        .finally(() => (subscribing = false));
    });
    this.subscriber.on('close', () => this.setAnnouncing(false));
    this.subscriber.on('message', (_channel: string, companyId: string) => {
      for (const listener of this.listeners) listener(companyId);
    });

    this.watchdog = setInterval(
      () => void this.watchValueClient(),
      Math.max(100, options.socketTimeoutMs / 4),
    );
    this.watchdog.unref();
  }

  private async watchValueClient(): Promise<void> {
    // Decided after the poll phase: a reply that arrived during an event-loop stall is read before the verdict.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.valueClient.isReady && !this.pinging) {
      this.pinging = true;
      this.valueClient
        .ping()
        .then(() => (this.lastReplyAt = Date.now()))
        .catch(() => undefined)
        .finally(() => (this.pinging = false));
    }
    const now = Date.now();
    const timeout = this.options.socketTimeoutMs;
    // Only a client that is ready yet silent is reopened: reopening one still in its handshake leaves that
    // socket open for good (node-redis 5), one more per attempt while the server hangs.
    if (!this.valueClient.isReady || now - this.lastReplyAt <= timeout || now - this.lastReopenAt <= timeout)
      return;
    this.lastReopenAt = now;
    this.warn(`value client: no reply in ${timeout} ms, reconnecting`);
    try {
      this.valueClient.destroy();
    } catch {
      // Already closed.
    }
    this.valueClient.connect().catch((error: Error) => this.warn(`value client reconnect: ${error.message}`));
  }

  async getValue<T>(key: string): Promise<T | undefined> {
    return (await this.cache.get<T>(this.k(key))) ?? undefined;
  }

  async setValue<T>(key: string, value: T, ttlMs: number): Promise<void> {
    await this.cache.set(this.k(key), value, ttlMs);
  }

  /** Text values skip Keyv's envelope: one plain GET, the string as stored (a hit is sent as is). */
  async getText(key: string): Promise<string | undefined> {
    return (await this.valueClient.get(this.k(key))) ?? undefined;
  }

  async setText(key: string, text: string, ttlMs: number): Promise<void> {
    await this.valueClient.set(this.k(key), text, { PX: Math.max(1, Math.round(ttlMs)) });
  }

  async deleteValue(key: string): Promise<void> {
    await this.cache.del(this.k(key));
  }

  async readGenerations(companyId: string): Promise<Generations> {
    return toNumbers(await this.redis.hgetall(this.k(GENERATIONS + companyId)));
  }

  async bumpGenerations(companyId: string, fields: string[]): Promise<Generations> {
    const hash = this.k(GENERATIONS + companyId);
    const multi = this.redis.multi();
    // A field that is not there starts at a random base, not 0. Redis can lose the counters while instances run
    // (restart without persistence, FLUSHDB, eviction) and nothing is announced: an instance that still holds
    // the old value writes entries under it for up to CACHE_GENERATION_LOCAL_MS, and a count from 0 would come
    // back to that value with a later bump and make those entries current again.
    for (const field of fields) {
      multi.hsetnx(hash, field, randomInt(GENERATION_BASE_MIN, GENERATION_BASE_MAX));
      multi.hincrby(hash, field, 1);
    }
    multi.hgetall(hash);
    const results = (await multi.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    const generations = toNumbers(results[results.length - 1][1] as Record<string, string>);
    await this.redis.publish(this.k(CHANGED_CHANNEL), companyId);
    return generations;
  }

  onGenerationsChanged(listener: (companyId: string) => void): void {
    this.listeners.push(listener);
  }

  announcementsLive(): boolean {
    return this.announcing;
  }

  onAnnouncements(listener: (live: boolean) => void): void {
    this.announcementListeners.push(listener);
  }

  async *scan(prefix: string, batchSize: number): AsyncIterable<string[]> {
    const match = `${escapeGlob(this.k(prefix))}*`;
    const strip = this.options.keyPrefix.length;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', batchSize);
      cursor = next;
      if (keys.length > 0) yield keys.map((key) => key.slice(strip));
    } while (cursor !== '0');
  }

  async unlink(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.redis.unlink(...keys.map((key) => this.k(key)));
  }

  /** Announced like a bump: every instance forgets its copy of the generations and its near-cache entries. */
  async deleteGenerations(companyId: string): Promise<number> {
    const removed = await this.redis.unlink(this.k(GENERATIONS + companyId));
    await this.redis.publish(this.k(CHANGED_CHANNEL), companyId);
    return removed;
  }

  async deleteCounters(hash: string): Promise<number> {
    return this.redis.unlink(this.k(hash));
  }

  async addCounters(increments: CounterIncrements): Promise<void> {
    const pipeline = this.redis.pipeline();
    let commands = 0;
    for (const [hash, fields] of Object.entries(increments)) {
      for (const [field, n] of Object.entries(fields)) {
        if (n === 0) continue;
        if (Number.isInteger(n)) pipeline.hincrby(this.k(hash), field, n);
        else pipeline.hincrbyfloat(this.k(hash), field, n);
        commands += 1;
      }
    }
    if (commands === 0) return;
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async readCounters(hash: string): Promise<Record<string, number>> {
    return toNumbers(await this.redis.hgetall(this.k(hash)));
  }

  async info(): Promise<StoreInfo> {
    const [memory, clients] = await Promise.all([this.redis.info('memory'), this.redis.info('clients')]);
    return {
      store: 'redis',
      usedMemoryBytes: infoField(memory, 'used_memory'),
      connectedClients: infoField(clients, 'connected_clients'),
    };
  }

  async ping(): Promise<boolean> {
    return this.valueClient.isReady && (await this.redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    this.subscriber.disconnect();
    try {
      this.valueClient.destroy();
    } catch {
      // Already closed.
    }
  }

  private announcing = false;

  private setAnnouncing(live: boolean): void {
    if (live === this.announcing) return;
    this.announcing = live;
    for (const listener of this.announcementListeners) listener(live);
  }

  private k(key: string): string {
    return this.options.keyPrefix + key;
  }

  /** At most one warning a second: a Redis outage must not flood the log. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastError < 1_000) return;
    this.lastError = now;
    this.logger.warn(message);
  }
}

function toNumbers(hash: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [field, value] of Object.entries(hash)) out[field] = Number(value);
  return out;
}

function infoField(info: string, name: string): number {
  const match = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

import { CacheableMemory, KeyvCacheableMemory } from '@cacheable/memory';
import { createCache, Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { CacheStore, CounterIncrements, Generations, StoreInfo } from '../ports/cache-store.port';

/**
 * The Keyv store of the embedded cache: @cacheable/memory with an LRU bound (a read refreshes an entry, the
 * least recently used goes first) and per-entry TTL. Keyv alone drops expired entries only when they are
 * read, so without the bound an embedded cache would grow without end.
 */
export function lruMemoryKeyv(maxEntries: number): Keyv {
  // No clone on read: values are never mutated after a read (as with the Redis store, which parses afresh).
  return new Keyv({ store: new KeyvCacheableMemory({ lruSize: maxEntries, useClone: false }), useKeyPrefix: false });
}

/**
 * Embedded mode: cache-manager 7 (the `CACHE_MANAGER` of @nestjs/cache-manager in the app) over the LRU
 * memory Keyv, with generations and counters in process maps. One process is the whole deployment, so
 * "every instance" is this one.
 */
export class MemoryCacheStore extends CacheStore {
  readonly kind = 'memory' as const;
  private readonly cache: Cache;
  private readonly entries: CacheableMemory;
  private readonly generations = new Map<string, Generations>();
  private readonly counters = new Map<string, Record<string, number>>();
  private readonly listeners: Array<(companyId: string) => void> = [];

  /** `cache`: a cache-manager whose first store is `lruMemoryKeyv`; `maxEntries`: build one. */
  constructor(options: { cache: Cache } | { maxEntries: number }) {
    super();
    this.cache =
      'cache' in options ? options.cache : createCache({ stores: [lruMemoryKeyv(options.maxEntries)] });
    const store: unknown = this.cache.stores[0]?.store;
    if (!(store instanceof KeyvCacheableMemory))
      throw new Error('the embedded cache store needs an LRU @cacheable/memory store (lruMemoryKeyv)');
    this.entries = store.store;
  }

  async getValue<T>(key: string): Promise<T | undefined> {
    return (await this.cache.get<T>(key)) ?? undefined;
  }

  async setValue<T>(key: string, value: T, ttlMs: number): Promise<void> {
    await this.cache.set(key, value, ttlMs);
  }

  async getText(key: string): Promise<string | undefined> {
    const value = await this.cache.get<string>(key);
    return typeof value === 'string' ? value : undefined;
  }

  async setText(key: string, text: string, ttlMs: number): Promise<void> {
    await this.cache.set(key, text, ttlMs);
  }

  async deleteValue(key: string): Promise<void> {
    await this.cache.del(key);
  }

  async readGenerations(companyId: string): Promise<Generations> {
    return { ...(this.generations.get(companyId) ?? {}) };
  }

  async bumpGenerations(companyId: string, fields: string[]): Promise<Generations> {
    const current = { ...(this.generations.get(companyId) ?? {}) };
    for (const field of fields) current[field] = (current[field] ?? 0) + 1;
    this.generations.set(companyId, current);
    for (const listener of this.listeners) listener(companyId);
    return { ...current };
  }

  onGenerationsChanged(listener: (companyId: string) => void): void {
    this.listeners.push(listener);
  }

  /** In process, no announcement can be missed. */
  announcementsLive(): boolean {
    return true;
  }

  /** The state never changes: the listener is never called. */
  onAnnouncements(listener: (live: boolean) => void): void {
    void listener;
  }

  async *scan(prefix: string, batchSize: number): AsyncIterable<string[]> {
    let batch: string[] = [];
    for (const key of [...this.entries.keys]) {
      if (!key.startsWith(prefix)) continue;
      batch.push(key);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async unlink(keys: string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) {
      if (!this.entries.has(key)) continue;
      this.entries.delete(key);
      removed += 1;
    }
    return removed;
  }

  async deleteGenerations(companyId: string): Promise<number> {
    return this.generations.delete(companyId) ? 1 : 0;
  }

  async deleteCounters(hash: string): Promise<number> {
    return this.counters.delete(hash) ? 1 : 0;
  }

  async addCounters(increments: CounterIncrements): Promise<void> {
    for (const [hash, fields] of Object.entries(increments)) {
      const target = this.counters.get(hash) ?? {};
      for (const [field, n] of Object.entries(fields)) target[field] = (target[field] ?? 0) + n;
      this.counters.set(hash, target);
    }
  }

  async readCounters(hash: string): Promise<Record<string, number>> {
    return { ...(this.counters.get(hash) ?? {}) };
  }

  /** Approximate: UTF-16 text is two bytes a character; any other value counts as 64 characters. */
  async info(): Promise<StoreInfo> {
    let bytes = 0;
    for (const item of this.entries.items) {
      const stored = item.value as { value?: unknown } | undefined;
      const value = stored && typeof stored === 'object' && 'value' in stored ? stored.value : stored;
      bytes += 2 * (item.key.length + (typeof value === 'string' ? value.length : 64));
    }
    return { store: 'memory', usedMemoryBytes: bytes, connectedClients: 1 };
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

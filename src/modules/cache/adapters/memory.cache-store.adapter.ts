import { createCache, Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { CacheStore, CounterIncrements, Generations, StoreInfo } from '../ports/cache-store.port';
import { BoundedMap } from './bounded-map';

/**
 * Embedded mode: cache-manager 7 over an in-memory Keyv (bounded), with generations and counters in process
 * maps. One process is the whole deployment, so "every instance" is this one.
 */
export class MemoryCacheStore extends CacheStore {
  readonly kind = 'memory' as const;
  private readonly entries: BoundedMap;
  private readonly cache: Cache;
  private readonly generations = new Map<string, Generations>();
  private readonly counters = new Map<string, Record<string, number>>();
  private readonly listeners: Array<(companyId: string) => void> = [];

  constructor(options: { maxEntries: number }) {
    super();
    this.entries = new BoundedMap(options.maxEntries);
    this.cache = createCache({
      stores: [new Keyv({ store: this.entries, namespace: undefined, useKeyPrefix: false })],
    });
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

  async *scan(prefix: string, batchSize: number): AsyncIterable<string[]> {
    let batch: string[] = [];
    for (const key of [...this.entries.keys()]) {
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
    for (const key of keys) if (this.entries.delete(key)) removed += 1;
    return removed;
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

  async info(): Promise<StoreInfo> {
    return { store: 'memory', usedMemoryBytes: this.entries.approximateBytes, connectedClients: 1 };
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

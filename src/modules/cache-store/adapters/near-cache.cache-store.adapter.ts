import { nearCacheCompany } from '../domain/near-cache-keys';
import { NearCacheLru } from '../domain/near-cache.lru';
import { CacheStore, CounterIncrements, Generations, StoreInfo } from '../ports/cache-store.port';

export interface NearCacheOptions {
  /** Entries kept in process (least recently used dropped first). */
  maxEntries: number;
  /** How long an entry is kept in process at most: the bound of a missed announcement, with the generations' own. */
  ttlMs: number;
  now?: () => number;
}

/**
 * An in-process LRU in front of a shared store (services mode), for the response, vector and LLM layers
 * (near-cache-keys.ts: never sessions, preferences or entries rewritten in place). A hit answers without a
 * round trip to Redis.
 *
 * Correctness does not rest on this copy: it holds entries under their stored keys, which carry the company's
 * generations, so once this instance knows a bump (pub/sub, or its generation copy re-read) it addresses other
 * keys. Still, every instance drops a company's entries when any instance announces a bump for it (and at once
 * when it bumps itself); while announcements cannot reach it (the subscriber is down, e.g. Redis restarting)
 * it holds nothing and reads through, and it keeps nothing longer than `ttlMs`. A read that was in flight when something was dropped
 * is not kept: it may predate the change.
 */
export class NearCacheStore extends CacheStore {
  private readonly lru: NearCacheLru<{ value: unknown }>;
  /** Counts drops and writes: a read fills the near cache only if nothing changed while it ran. */
  private changes = 0;

  constructor(
    private readonly inner: CacheStore,
    private readonly options: NearCacheOptions,
  ) {
    super();
    this.lru = new NearCacheLru(options.maxEntries);
    inner.onGenerationsChanged((companyId) => this.dropCompany(companyId));
    inner.onAnnouncements(() => this.dropAll());
  }

  get kind(): 'redis' | 'memory' {
    return this.inner.kind;
  }

  /** Entries held in process now. */
  get size(): number {
    return this.lru.size;
  }

  /** A hit needs no guard against a slow store: it never waits. */
  override held(key: string): { value: unknown } | undefined {
    if (!this.inner.announcementsLive() || nearCacheCompany(key) === undefined) return undefined;
    return this.lru.get(key, this.now());
  }

  getValue<T>(key: string): Promise<T | undefined> {
    return this.read(key, () => this.inner.getValue<T>(key));
  }

  async setValue<T>(key: string, value: T, ttlMs: number): Promise<void> {
    const marked = this.written(key);
    await this.inner.setValue(key, value, ttlMs);
    this.keep(key, value, marked, ttlMs);
  }

  getText(key: string): Promise<string | undefined> {
    return this.read(key, () => this.inner.getText(key));
  }

  async setText(key: string, text: string, ttlMs: number): Promise<void> {
    const marked = this.written(key);
    await this.inner.setText(key, text, ttlMs);
    this.keep(key, text, marked, ttlMs);
  }

  async deleteValue(key: string): Promise<void> {
    this.lru.delete(key);
    this.changes += 1;
    await this.inner.deleteValue(key);
  }

  readGenerations(companyId: string): Promise<Generations> {
    return this.inner.readGenerations(companyId);
  }

  async bumpGenerations(companyId: string, fields: string[]): Promise<Generations> {
    this.dropCompany(companyId);
    try {
      return await this.inner.bumpGenerations(companyId, fields);
    } finally {
      // Reads that ran during the bump may have fetched entries it invalidates.
      this.dropCompany(companyId);
    }
  }

  onGenerationsChanged(listener: (companyId: string) => void): void {
    this.inner.onGenerationsChanged(listener);
  }

  announcementsLive(): boolean {
    return this.inner.announcementsLive();
  }

  onAnnouncements(listener: (live: boolean) => void): void {
    this.inner.onAnnouncements(listener);
  }

  scan(prefix: string, batchSize: number): AsyncIterable<string[]> {
    return this.inner.scan(prefix, batchSize);
  }

  async unlink(keys: string[]): Promise<number> {
    for (const key of keys) this.lru.delete(key);
    this.changes += 1;
    return this.inner.unlink(keys);
  }

  /** Company erasure: nothing of the company stays in process either. */
  async deleteGenerations(companyId: string): Promise<number> {
    this.dropCompany(companyId);
    return this.inner.deleteGenerations(companyId);
  }

  addCounters(increments: CounterIncrements): Promise<void> {
    return this.inner.addCounters(increments);
  }

  deleteCounters(hash: string): Promise<number> {
    return this.inner.deleteCounters(hash);
  }

  readCounters(hash: string): Promise<Record<string, number>> {
    return this.inner.readCounters(hash);
  }

  info(): Promise<StoreInfo> {
    return this.inner.info();
  }

  ping(): Promise<boolean> {
    return this.inner.ping();
  }

  async close(): Promise<void> {
    this.dropAll();
    await this.inner.close();
  }

  private async read<T>(key: string, fetch: () => Promise<T | undefined>): Promise<T | undefined> {
    const companyId = nearCacheCompany(key);
    if (companyId === undefined || !this.inner.announcementsLive()) return fetch();
    const held = this.lru.get(key, this.now());
    if (held) return held.value as T;
    const marked = this.changes;
    const value = await fetch();
    if (value !== undefined) this.keep(key, value, marked);
    return value;
  }

  private keep(key: string, value: unknown, marked: number, ttlMs = this.options.ttlMs): void {
    if (marked !== this.changes || !this.inner.announcementsLive()) return;
    const companyId = nearCacheCompany(key);
    if (companyId === undefined) return;
    const until = this.now() + Math.min(ttlMs, this.options.ttlMs);
    this.lru.set({ key, companyId, value: { value }, until });
  }

  /** A write is a change too: a read in flight from before it must not replace what it wrote. */
  private written(key: string): number {
    this.lru.delete(key);
    this.changes += 1;
    return this.changes;
  }

  private dropCompany(companyId: string): void {
    this.changes += 1;
    this.lru.dropCompany(companyId);
  }

  private dropAll(): void {
    this.changes += 1;
    this.lru.clear();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

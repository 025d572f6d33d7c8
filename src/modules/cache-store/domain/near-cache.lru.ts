/**
 * A bounded LRU with a per-entry deadline and a per-company index, so a company's entries can be dropped
 * without scanning the whole cache. Pure (no I/O; the clock is given): the near cache's memory.
 */
export class NearCacheLru<V> {
  /** Map order is recency: a hit moves the entry to the end, the first entry is the least recently used. */
  private readonly entries = new Map<string, { value: V; companyId: string; until: number }>();
  private readonly byCompany = new Map<string, Set<string>>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now >= entry.until) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(input: { key: string; companyId: string; value: V; until: number }): void {
    if (this.maxEntries <= 0) return;
    this.delete(input.key);
    while (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value as string);
    this.entries.set(input.key, { value: input.value, companyId: input.companyId, until: input.until });
    let keys = this.byCompany.get(input.companyId);
    if (!keys) this.byCompany.set(input.companyId, (keys = new Set()));
    keys.add(input.key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.byCompany.get(entry.companyId);
    keys?.delete(key);
    if (keys?.size === 0) this.byCompany.delete(entry.companyId);
  }

  /** Drops every entry of the company; how many there were. */
  dropCompany(companyId: string): number {
    const keys = this.byCompany.get(companyId);
    if (!keys) return 0;
    for (const key of keys) this.entries.delete(key);
    this.byCompany.delete(companyId);
    return keys.size;
  }

  clear(): void {
    this.entries.clear();
    this.byCompany.clear();
  }
}

import { canonicalJson } from '../../src/modules/cache/domain/cache-keys';
import {
  CACHE_LAYERS,
  CacheCredit,
  CacheKey,
  CacheLayer,
  CacheResult,
  GetOrComputeOptions,
  LayeredCache,
} from '../../src/modules/cache/ports/layered-cache.port';

interface Entry {
  /** JSON, so a caller never shares (or mutates) the stored object, as with a real store. */
  json: string;
  expiresAt: number;
  /** Past expiresAt and up to here the value is stale (stale-while-revalidate). */
  staleUntil: number;
  credit?: CacheCredit;
}

/**
 * In-memory LayeredCache with the real one's semantics: per-layer TTLs, generation counters per company and
 * layer (invalidation makes old entries unreachable at once), single-flight, stale-while-revalidate, sliding
 * reads, no-cache/no-store and credits. Time is `Date.now()`, so Jest's fake timers drive expiry.
 * `failing = true` turns every call into a miss, as the real cache does when its store is down.
 */
export class FakeLayeredCache extends LayeredCache {
  readonly entries = new Map<string, Entry>();
  readonly generations = new Map<string, number>();
  readonly hits: Record<CacheLayer, number> = { llm: 0, vector: 0, session: 0, api: 0, prefs: 0 };
  readonly misses: Record<CacheLayer, number> = { llm: 0, vector: 0, session: 0, api: 0, prefs: 0 };
  readonly credited: CacheCredit = { tokens: 0, costUsd: 0 };
  failing = false;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    readonly ttlMs: Record<CacheLayer, number> = {
      llm: 24 * 3_600_000,
      vector: 30 * 60_000,
      session: 2 * 3_600_000,
      api: 5 * 60_000,
      prefs: 7 * 24 * 3_600_000,
    },
  ) {
    super();
  }

  async getOrCompute<T>(options: GetOrComputeOptions<T>): Promise<CacheResult<T>> {
    const { key, mode = 'default' } = options;
    const name = this.storageKey(key);
    if (mode === 'default' && !this.failing) {
      const entry = this.live(name);
      if (entry && entry.expiresAt > Date.now()) {
        this.hit(key, entry);
        return { value: JSON.parse(entry.json) as T, status: 'HIT' };
      }
      if (entry && options.staleWhileRevalidateMs) {
        this.hit(key, entry);
        if (!this.inFlight.has(name)) void this.refresh(name, options).catch(() => undefined);
        return { value: JSON.parse(entry.json) as T, status: 'STALE' };
      }
    }
    this.misses[key.layer] += 1;
    const running = this.inFlight.get(name) as Promise<T> | undefined;
    if (running) return { value: await running, status: 'MISS' };
    return { value: await this.refresh(name, options), status: 'MISS' };
  }

  private refresh<T>(name: string, options: GetOrComputeOptions<T>): Promise<T> {
    const run = (async () => {
      try {
        const value = await options.compute();
        const store = options.mode !== 'no-store' && (options.shouldStore?.(value) ?? true);
        if (store && !this.failing) {
          this.write({
            name,
            key: options.key,
            value,
            ttlMs: options.ttlMs,
            credit: options.credit?.(value),
            swrMs: options.staleWhileRevalidateMs,
          });
        }
        return value;
      } finally {
        this.inFlight.delete(name);
      }
    })();
    this.inFlight.set(name, run);
    return run;
  }

  async get<T>(key: CacheKey): Promise<T | undefined> {
    const entry = this.failing ? undefined : this.live(this.storageKey(key));
    if (!entry || entry.expiresAt <= Date.now()) {
      this.misses[key.layer] += 1;
      return undefined;
    }
    this.hit(key, entry);
    return JSON.parse(entry.json) as T;
  }

  async getAndTouch<T>(key: CacheKey, ttlMs?: number): Promise<T | undefined> {
    const value = await this.get<T>(key);
    const entry = this.entries.get(this.storageKey(key));
    if (value !== undefined && entry) {
      entry.expiresAt = Date.now() + (ttlMs ?? this.ttlMs[key.layer]);
      entry.staleUntil = entry.expiresAt;
    }
    return value;
  }

  async set<T>(key: CacheKey, value: T, options?: { ttlMs?: number; credit?: CacheCredit }): Promise<void> {
    if (this.failing) return;
    this.write({ name: this.storageKey(key), key, value, ttlMs: options?.ttlMs, credit: options?.credit });
  }

  async delete(key: CacheKey): Promise<boolean> {
    if (this.failing) return false;
    this.entries.delete(this.storageKey(key));
    return true;
  }

  async invalidate(
    companyId: string,
    layers: CacheLayer[] = [...CACHE_LAYERS],
  ): Promise<Partial<Record<CacheLayer, number>>> {
    const counts: Partial<Record<CacheLayer, number>> = {};
    for (const layer of layers) {
      const prefix = `${layer}:${companyId}:`;
      let count = 0;
      for (const name of [...this.entries.keys()]) {
        if (!name.startsWith(prefix)) continue;
        this.entries.delete(name);
        count += 1;
      }
      this.generations.set(prefix, (this.generations.get(prefix) ?? 0) + 1);
      counts[layer] = count;
    }
    return counts;
  }

  /** What the real cache's data-change invalidation does for one kind (e.g. `semantic`, `answer`). */
  bumpKind(input: { companyId: string; layer: CacheLayer; kind: string }): void {
    const name = `${input.layer}:${input.companyId}:${input.kind}`;
    this.generations.set(name, (this.generations.get(name) ?? 0) + 1);
  }

  /** Keys of live entries of a company and layer (for assertions). */
  keys(layer: CacheLayer, companyId: string): string[] {
    const prefix = `${layer}:${companyId}:g${this.generation(layer, companyId)}:`;
    return [...this.entries.keys()].filter((name) => name.startsWith(prefix) && this.live(name));
  }

  private generation(layer: CacheLayer, companyId: string): number {
    return this.generations.get(`${layer}:${companyId}:`) ?? 0;
  }

  private storageKey(key: CacheKey): string {
    const kindGeneration = this.generations.get(`${key.layer}:${key.companyId}:${key.kind}`) ?? 0;
    return `${key.layer}:${key.companyId}:g${this.generation(key.layer, key.companyId)}:${key.kind}:${key.hash}.${kindGeneration}`;
  }

  private live(name: string): Entry | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    if (entry.staleUntil <= Date.now()) {
      this.entries.delete(name);
      return undefined;
    }
    return entry;
  }

  private hit(key: CacheKey, entry: Entry): void {
    this.hits[key.layer] += 1;
    if (entry.credit) {
      this.credited.tokens += entry.credit.tokens;
      this.credited.costUsd += entry.credit.costUsd;
    }
  }

  private write(input: {
    name: string;
    key: CacheKey;
    value: unknown;
    ttlMs?: number;
    credit?: CacheCredit;
    swrMs?: number;
  }): void {
    const expiresAt = Date.now() + (input.ttlMs ?? this.ttlMs[input.key.layer]);
    this.entries.set(input.name, {
      json: canonicalJson(input.value) ?? 'null',
      expiresAt,
      staleUntil: expiresAt + (input.swrMs ?? 0),
      credit: input.credit,
    });
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { SingleFlight } from '../../common/async/single-flight';
import { CacheGuard } from '../../common/async/cache-guard';
import { CacheStatsService } from './cache-stats.service';
import { cacheLayerPrefix } from './domain/cache-keys';
import { GenerationTracker, generationSuffix, InvalidationPendingError } from './generation-tracker';
import { CacheStore, Generations, kindGenerationField, layerGenerationField } from './ports/cache-store.port';
import {
  CACHE_LAYERS,
  CacheCredit,
  CacheKey,
  CacheKind,
  CacheLayer,
  CacheResult,
  GetOrComputeOptions,
  GetOrComputeResponseOptions,
  LayeredCache,
  ResponseLookup,
  ResponseResult,
} from './ports/layered-cache.port';
import { encodeResponseEntry, parseResponseEntry, ResponseEntry } from './response-entry.codec';

/** What is stored: the value, when it goes stale, and what computing it cost (credited on each hit). */
interface Envelope<T> {
  v: T;
  exp: number;
  credit?: CacheCredit;
}

/**
 * The layered cache over a CacheStore (see the port for the contract). Stored keys are the built key plus
 * the company's generations of that layer and kind (`{layer}:{company_id}:{kind}:{hash}:{gen}.{kindGen}`),
 * so invalidation is a counter bump. Every store call on the request path is bounded by the guard: a slow
 * or dead store makes lookups misses and writes no-ops, never errors.
 */
@Injectable()
export class LayeredCacheService extends LayeredCache implements OnModuleDestroy {
  private readonly logger = new Logger('LayeredCache');
  private readonly flights = new SingleFlight();
  private readonly refreshes = new SingleFlight();
  private readonly generations: GenerationTracker;
  private readonly sweeps = new Set<Promise<unknown>>();
  private lastWarning = 0;

  constructor(
    private readonly store: CacheStore,
    private readonly guard: CacheGuard,
    private readonly stats: CacheStatsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
    this.generations = new GenerationTracker(store, {
      localMs: config.cache.generationLocalMs,
      // A bump is a write that must land (it is what invalidates): the state timeout, not the lookup one.
      guard: (operation, fn) =>
        guard.run(operation, fn, operation === 'bump' ? config.cache.stateTimeoutMs : undefined),
      onOwed: (companyId, error) =>
        this.logger.warn(
          `invalidation of ${companyId} did not reach the cache store (${String(error)}): its affected entries are not used until it does; retrying`,
        ),
      onSettled: (companyId, owedForMs) =>
        this.logger.log(`owed invalidation of ${companyId} reached the cache store after ${owedForMs} ms`),
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.generations.close();
    await Promise.allSettled([...this.sweeps]);
  }

  /** Companies whose invalidation has not reached the store yet, and how many generation fields each. */
  pendingInvalidations(): Map<string, number> {
    return this.generations.pending();
  }

  async getOrCompute<T>(options: GetOrComputeOptions<T>): Promise<CacheResult<T>> {
    const result = await this.serve<T, Envelope<T>>(options, {
      read: (storedKey) => this.read<T>(storedKey, options.key.layer),
      write: (storedKey, value) => this.storeValue(storedKey, options, value),
    });
    return result.status === 'MISS' ? result : { value: result.entry.v, status: result.status };
  }

  /**
   * HTTP responses are stored as text (response-entry.codec): a hit is one GET and a string slice, sent as is
   * (no JSON parse, no re-serialization). A `lookup` the fast path made for this key spares the second read.
   */
  override async getOrComputeResponse<T>(
    options: GetOrComputeResponseOptions<T>,
  ): Promise<ResponseResult<T>> {
    const { lookup, key } = options;
    const handed = lookup && lookup.key.toString() === key.toString() ? lookup : undefined;
    const result = await this.serve<T, ResponseEntry>(
      options,
      {
        read: (storedKey) => this.readResponse(storedKey, key.layer),
        write: (storedKey, value) => this.storeResponse(storedKey, options, value),
      },
      handed,
    );
    return result.status === 'MISS' ? result : { status: result.status, body: result.entry.body };
  }

  /**
   * The one serve path of values and responses: read (or take the fast path's read), a fresh entry is a HIT,
   * one within the stale grace a STALE with one background refresh, else one computation for concurrent
   * identical misses. `no-cache` refreshes the entry; `no-store` neither reads nor writes.
   */
  private async serve<T, E extends { exp: number; credit?: CacheCredit }>(
    options: GetOrComputeOptions<T>,
    entries: {
      read: (storedKey: string) => Promise<E | undefined>;
      write: (storedKey: string, value: T) => Promise<void>;
    },
    handed?: { storedKey: string; entry?: E },
  ): Promise<{ status: 'MISS'; value: T } | { status: 'HIT' | 'STALE'; entry: E }> {
    const { key, compute } = options;
    const mode = options.mode ?? 'default';
    if (this.bypassed(key)) return { value: await compute(), status: 'MISS' };
    const storedKey = handed?.storedKey ?? (await this.storedKey(key));
    // Store unavailable: serve without the cache, still one computation for concurrent identical requests.
    if (!storedKey) return { value: await this.flights.run(`nostore:${key}`, compute), status: 'MISS' };
    const computeAndStore = async (): Promise<T> => {
      const value = await compute();
      if (mode !== 'no-store' && (options.shouldStore?.(value) ?? true))
        await entries.write(storedKey, value);
      return value;
    };

    if (mode === 'default') {
      const entry = handed ? handed.entry : await entries.read(storedKey);
      const now = Date.now();
      if (entry && now < entry.exp) {
        this.countHit(key, 'hit', entry.credit);
        return { status: 'HIT', entry };
      }
      const grace = options.staleWhileRevalidateMs ?? 0;
      if (entry && grace > 0 && now < entry.exp + grace) {
        this.countHit(key, 'stale', entry.credit);
        void this.refreshes
          .run(storedKey, computeAndStore)
          .catch((error: unknown) =>
            this.warn(`refresh of ${key.layer}:${key.kind} failed: ${String(error)}`),
          );
        return { status: 'STALE', entry };
      }
      this.stats.recordLookup({ layer: key.layer, companyId: key.companyId, outcome: 'miss' });
      return { status: 'MISS', value: await this.flights.run(storedKey, computeAndStore) };
    }
    const value = mode === 'no-cache' ? await computeAndStore() : await compute();
    return { status: 'MISS', value };
  }

  /**
   * The fast hit path's read: what the store holds for a response key (the entry, or none), or undefined when
   * the cache is bypassed or the store did not answer. Counts nothing: see `recordResponseHit`; a lookup
   * that is not a fresh hit goes on to getOrComputeResponse (`lookup`), which then does not read again.
   */
  async lookupResponse(key: CacheKey): Promise<ResponseLookup | undefined> {
    if (this.bypassed(key)) return undefined;
    const storedKey = await this.storedKey(key);
    if (!storedKey) return undefined;
    try {
      const text = await this.guard.run('get', () => this.store.getText(storedKey));
      return { key, storedKey, entry: text === undefined ? undefined : parseResponseEntry(text) };
    } catch (error) {
      this.failed('get', key.layer, error);
      return undefined;
    }
  }

  /** A fresh stored response, or undefined on a miss, a stale entry or any store trouble. Counts nothing. */
  async peekResponse(key: CacheKey): Promise<ResponseEntry | undefined> {
    const entry = (await this.lookupResponse(key))?.entry;
    return entry && Date.now() < entry.exp ? entry : undefined;
  }

  /** Counts a response the fast hit path served: lookup stats and the savings ledger, as a regular hit. */
  recordResponseHit(key: CacheKey, credit: CacheCredit | undefined): void {
    this.countHit(key, 'hit', credit);
  }

  async get<T>(key: CacheKey): Promise<T | undefined> {
    return (await this.lookup<T>(key))?.v;
  }

  async getAndTouch<T>(key: CacheKey, ttlMs?: number): Promise<T | undefined> {
    const found = await this.lookup<T>(key);
    if (!found) return undefined;
    await this.write(
      found.storedKey,
      key.layer,
      { v: found.v, credit: found.credit },
      ttlMs ?? this.ttl(key.layer),
    );
    return found.v;
  }

  async set<T>(
    key: CacheKey,
    value: T,
    options: { ttlMs?: number; credit?: CacheCredit } = {},
  ): Promise<void> {
    if (this.bypassed(key)) return;
    const storedKey = await this.storedKey(key);
    if (!storedKey) return;
    await this.write(
      storedKey,
      key.layer,
      { v: value, credit: options.credit },
      options.ttlMs ?? this.ttl(key.layer),
    );
  }

  async readState<T>(key: CacheKey, options: { touch?: boolean } = {}): Promise<T | undefined> {
    const timeoutMs = this.config.cache.stateTimeoutMs;
    const storedKey = await this.state('get', key.layer, () => this.versionedKey(key));
    const envelope = await this.state('get', key.layer, () => this.fetch<T>(storedKey, timeoutMs));
    if (!envelope || Date.now() >= envelope.exp) {
      this.stats.recordLookup({ layer: key.layer, companyId: key.companyId, outcome: 'miss' });
      return undefined;
    }
    this.stats.recordLookup({ layer: key.layer, companyId: key.companyId, outcome: 'hit' });
    if (options.touch) {
      const entry = { v: envelope.v };
      await this.state('set', key.layer, () =>
        this.put(storedKey, key.layer, entry, this.ttl(key.layer), { timeoutMs }),
      );
    }
    return envelope.v;
  }

  async writeState<T>(key: CacheKey, value: T, options: { ttlMs?: number } = {}): Promise<void> {
    const storedKey = await this.state('get', key.layer, () => this.versionedKey(key));
    const ttlMs = options.ttlMs ?? this.ttl(key.layer);
    const timeoutMs = this.config.cache.stateTimeoutMs;
    await this.state('set', key.layer, () =>
      this.put(storedKey, key.layer, { v: value }, ttlMs, { timeoutMs }),
    );
  }

  async delete(key: CacheKey): Promise<void> {
    const storedKey = await this.storedKey(key);
    if (!storedKey) return;
    try {
      await this.guard.run('delete', () => this.store.deleteValue(storedKey));
      this.metrics.recordCacheOperation({ operation: 'delete', result: 'ok', cacheType: key.layer });
    } catch (error) {
      this.failed('delete', key.layer, error);
    }
  }

  async invalidate(companyId: string, layers?: CacheLayer[]): Promise<Partial<Record<CacheLayer, number>>> {
    const targets = layers && layers.length > 0 ? [...new Set(layers)] : [...CACHE_LAYERS];
    let generations: Generations;
    try {
      generations = await this.generations.bump(companyId, targets.map(layerGenerationField));
    } catch (error) {
      // Owed and retried (see GenerationTracker); the caller learns it has not happened yet.
      this.recordInvalidations(targets, 'error');
      throw AppError.unavailable('cache store', error);
    }
    this.recordInvalidations(targets, 'ok');
    const sweep = this.sweep(companyId, targets, generations);
    const counts = await Promise.race([sweep, delay(this.config.cache.sweepWaitMs).then(() => undefined)]);
    return counts ?? Object.fromEntries(targets.map((layer) => [layer, 0]));
  }

  /**
   * Invalidation that follows the data: bumps whole layers and single kinds of a company at once and sweeps
   * in the background. For listeners that must not wait on a sweep. Never throws: a bump the store does not
   * take is owed and retried, and the affected entries are not used meanwhile (GenerationTracker).
   */
  async bumpGenerations(input: {
    companyId: string;
    layers?: CacheLayer[];
    kinds?: Array<{ layer: CacheLayer; kind: CacheKind }>;
  }): Promise<void> {
    const { companyId, layers = [], kinds = [] } = input;
    const fields = [
      ...layers.map(layerGenerationField),
      ...kinds.map(({ layer, kind }) => kindGenerationField(layer, kind)),
    ];
    if (fields.length === 0) return;
    const touched = [...new Set([...layers, ...kinds.map((k) => k.layer)])];
    let generations: Generations;
    try {
      generations = await this.generations.bump(companyId, fields);
    } catch {
      // Owed, reported and retried by the tracker; until it lands this process does not use those entries.
      this.recordInvalidations(touched, 'error');
      return;
    }
    this.recordInvalidations(touched, 'ok');
    void this.sweep(companyId, touched, generations);
  }

  private recordInvalidations(layers: CacheLayer[], result: 'ok' | 'error'): void {
    for (const layer of layers)
      this.metrics.recordCacheOperation({ operation: 'invalidate', result, cacheType: layer });
  }

  /** Removes a company's entries of older generations (SCAN + UNLINK, never KEYS); counts per layer. */
  private sweep(
    companyId: string,
    layers: CacheLayer[],
    generations: Generations,
  ): Promise<Partial<Record<CacheLayer, number>>> {
    const run = (async () => {
      const counts: Partial<Record<CacheLayer, number>> = {};
      for (const layer of layers) {
        let removed = 0;
        const prefix = cacheLayerPrefix(layer, companyId);
        for await (const batch of this.store.scan(prefix, this.config.cache.sweepBatch)) {
          const old = batch.filter((storedKey) => isOlderGeneration(storedKey, prefix, layer, generations));
          if (old.length > 0) removed += await this.store.unlink(old);
        }
        counts[layer] = removed;
      }
      return counts;
    })();
    const tracked = run.catch((error: unknown) => {
      this.warn(`cache sweep of ${companyId} failed: ${String(error)}`);
      return Object.fromEntries(layers.map((layer) => [layer, 0])) as Partial<Record<CacheLayer, number>>;
    });
    this.sweeps.add(tracked);
    void tracked.finally(() => this.sweeps.delete(tracked));
    return tracked;
  }

  /**
   * CACHE_ENABLED=false turns off caching of derived values; sessions and preferences are state that lives in
   * the store, not copies of something recomputable, so they keep working.
   */
  private bypassed(key: CacheKey): boolean {
    return !this.config.cache.enabled && key.layer !== 'session' && key.layer !== 'prefs';
  }

  private async lookup<T>(key: CacheKey): Promise<(Envelope<T> & { storedKey: string }) | undefined> {
    if (this.bypassed(key)) return undefined;
    const storedKey = await this.storedKey(key);
    if (!storedKey) return undefined;
    const envelope = await this.read<T>(storedKey, key.layer);
    if (!envelope || Date.now() >= envelope.exp) {
      this.stats.recordLookup({ layer: key.layer, companyId: key.companyId, outcome: 'miss' });
      return undefined;
    }
    this.countHit(key, 'hit', envelope.credit);
    return { ...envelope, storedKey };
  }

  private async storeValue<T>(storedKey: string, options: GetOrComputeOptions<T>, value: T): Promise<void> {
    const ttlMs = options.ttlMs ?? this.ttl(options.key.layer);
    await this.write(
      storedKey,
      options.key.layer,
      { v: value, credit: options.credit?.(value) },
      ttlMs,
      options.staleWhileRevalidateMs,
    );
  }

  private async storeResponse<T>(
    storedKey: string,
    options: GetOrComputeResponseOptions<T>,
    value: T,
  ): Promise<void> {
    const layer = options.key.layer;
    const ttlMs = options.ttlMs ?? this.ttl(layer);
    const text = encodeResponseEntry({
      exp: Date.now() + ttlMs,
      credit: options.credit?.(value),
      body: options.replay(value),
    });
    try {
      const keepMs = ttlMs + (options.staleWhileRevalidateMs ?? 0);
      await this.guard.run('set', () => this.store.setText(storedKey, text, keepMs));
      this.metrics.recordCacheOperation({ operation: 'set', result: 'ok', cacheType: layer });
    } catch (error) {
      this.failed('set', layer, error);
    }
  }

  private async readResponse(storedKey: string, layer: CacheLayer): Promise<ResponseEntry | undefined> {
    try {
      const text = await this.guard.run('get', () => this.store.getText(storedKey));
      return text === undefined ? undefined : parseResponseEntry(text);
    } catch (error) {
      this.failed('get', layer, error);
      return undefined;
    }
  }

  /** State calls: a store failure is reported like a cache failure, then thrown as a 503 (never a miss). */
  private async state<R>(operation: 'get' | 'set', layer: CacheLayer, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      this.failed(operation, layer, error);
      throw AppError.unavailable('session store', error);
    }
  }

  /** The generation-versioned key; throws when the generations cannot be read. */
  private async versionedKey(key: CacheKey): Promise<string> {
    return `${key.toString()}:${await this.generations.suffix(key.companyId, key.layer, key.kind)}`;
  }

  /** One envelope, behind the guard (the cache's timeout unless `timeoutMs`); throws on failure. */
  private async fetch<T>(storedKey: string, timeoutMs?: number): Promise<Envelope<T> | undefined> {
    const envelope = await this.guard.run(
      'get',
      () => this.store.getValue<Envelope<T>>(storedKey),
      timeoutMs,
    );
    return envelope && typeof envelope === 'object' && 'exp' in envelope ? envelope : undefined;
  }

  /** Stores one envelope behind the guard; throws on failure. */
  private async put<T>(
    storedKey: string,
    layer: CacheLayer,
    entry: { v: T; credit?: CacheCredit },
    ttlMs: number,
    options: { graceMs?: number; timeoutMs?: number } = {},
  ): Promise<void> {
    const envelope: Envelope<T> = {
      v: entry.v,
      exp: Date.now() + ttlMs,
      ...(entry.credit ? { credit: entry.credit } : {}),
    };
    const storeTtlMs = ttlMs + (options.graceMs ?? 0);
    await this.guard.run(
      'set',
      () => this.store.setValue(storedKey, envelope, storeTtlMs),
      options.timeoutMs,
    );
    this.metrics.recordCacheOperation({ operation: 'set', result: 'ok', cacheType: layer });
  }

  /** Cache paths fail open: the versioned key, or undefined when the generations cannot be read. */
  private async storedKey(key: CacheKey): Promise<string | undefined> {
    try {
      return await this.versionedKey(key);
    } catch (error) {
      this.failed('get', key.layer, error);
      return undefined;
    }
  }

  private async read<T>(storedKey: string, layer: CacheLayer): Promise<Envelope<T> | undefined> {
    try {
      return await this.fetch<T>(storedKey);
    } catch (error) {
      this.failed('get', layer, error);
      return undefined;
    }
  }

  private async write<T>(
    storedKey: string,
    layer: CacheLayer,
    entry: { v: T; credit?: CacheCredit },
    ttlMs: number,
    graceMs = 0,
  ): Promise<void> {
    try {
      await this.put(storedKey, layer, entry, ttlMs, { graceMs });
    } catch (error) {
      this.failed('set', layer, error);
    }
  }

  private countHit(key: CacheKey, outcome: 'hit' | 'stale', credit: CacheCredit | undefined): void {
    this.stats.recordLookup({ layer: key.layer, companyId: key.companyId, outcome });
    if (credit && (credit.tokens > 0 || credit.costUsd > 0)) {
      this.stats.recordSavings({ layer: key.layer, companyId: key.companyId, credit });
    }
  }

  private ttl(layer: CacheLayer): number {
    return this.config.cache.ttlMs[layer];
  }

  private failed(operation: 'get' | 'set' | 'delete', layer: CacheLayer, error: unknown): void {
    this.metrics.recordCacheOperation({ operation, result: 'error', cacheType: layer });
    // An open breaker or an owed invalidation was reported when it began: not once per lookup.
    if (!CacheGuard.isOpen(error) && !(error instanceof InvalidationPendingError))
      this.warn(`cache ${operation} failed: ${String(error)}`);
  }

  /** At most one warning a second: an outage must not flood the log. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 1_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

/** A stored key of the layer whose generation suffix is not the current one of its kind. */
export function isOlderGeneration(
  storedKey: string,
  prefix: string,
  layer: CacheLayer,
  generations: Generations,
): boolean {
  if (!storedKey.startsWith(prefix)) return false;
  const parts = storedKey.slice(prefix.length).split(':');
  if (parts.length !== 3) return false;
  const [kind, , suffix] = parts;
  return suffix !== generationSuffix(generations, layer, kind);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

import { Injectable } from '@nestjs/common';
import { SingleFlight } from '../../common/async/single-flight';
import { AppConfig } from '../../config/config';
import { CacheEntries, Envelope } from './cache-entries';
import { CacheRecorder } from './cache-recorder';
import { CacheInvalidator } from './ports/cache-invalidator.port';
import {
  CacheCredit,
  CacheKey,
  CacheLayer,
  CacheResult,
  GetOrComputeOptions,
  GetOrComputeResponseOptions,
  LayeredCache,
  ResponseLookup,
  ResponseResult,
} from './ports/layered-cache.port';
import { ResponseEntry } from './response-entry.codec';

/** Cache paths fail open: a store call that failed (already recorded) is a miss, a write a no-op. */
const failOpen = (): undefined => undefined;

/**
 * The layered cache over a CacheStore (see the port for the contract): one serve path for values and
 * responses. Keys are versioned by the invalidator (generations), entries read and written through
 * CacheEntries (guard: a slow or dead store makes lookups misses and writes no-ops, never errors), and every
 * outcome recorded by the CacheRecorder.
 */
@Injectable()
export class LayeredCacheService extends LayeredCache {
  private readonly flights = new SingleFlight();
  private readonly refreshes = new SingleFlight();

  constructor(
    private readonly entries: CacheEntries,
    private readonly invalidator: CacheInvalidator,
    private readonly recorder: CacheRecorder,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async getOrCompute<T>(options: GetOrComputeOptions<T>): Promise<CacheResult<T>> {
    const result = await this.serve<T, Envelope<T>>(options, {
      read: (storedKey) => this.entries.readValue<T>(storedKey, options.key.layer).catch(failOpen),
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
        read: (storedKey) => this.entries.readResponse(storedKey, key.layer).catch(failOpen),
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
    if (this.bypassed()) return { value: await compute(), status: 'MISS' };
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
        this.recorder.lookup(key, 'hit', entry.credit);
        return { status: 'HIT', entry };
      }
      const grace = options.staleWhileRevalidateMs ?? 0;
      if (entry && grace > 0 && now < entry.exp + grace) {
        this.recorder.lookup(key, 'stale', entry.credit);
        void this.refreshes
          .run(storedKey, computeAndStore)
          .catch((error: unknown) =>
            this.recorder.warn(`refresh of ${key.layer}:${key.kind} failed: ${String(error)}`),
          );
        return { status: 'STALE', entry };
      }
      this.recorder.lookup(key, 'miss');
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
    if (this.bypassed()) return undefined;
    const storedKey = await this.storedKey(key);
    if (!storedKey) return undefined;
    try {
      return { key, storedKey, entry: await this.entries.readResponse(storedKey, key.layer) };
    } catch {
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
    this.recorder.lookup(key, 'hit', credit);
  }

  async get<T>(key: CacheKey): Promise<T | undefined> {
    return (await this.lookup<T>(key))?.v;
  }

  async getAndTouch<T>(key: CacheKey, ttlMs?: number): Promise<T | undefined> {
    const found = await this.lookup<T>(key);
    if (!found) return undefined;
    const { storedKey, v: value, credit } = found;
    const ttl = ttlMs ?? this.ttl(key.layer);
    await this.entries.writeValue({ storedKey, layer: key.layer, value, credit, ttlMs: ttl }).catch(failOpen);
    return found.v;
  }

  async set<T>(
    key: CacheKey,
    value: T,
    options: { ttlMs?: number; credit?: CacheCredit } = {},
  ): Promise<void> {
    if (this.bypassed()) return;
    const storedKey = await this.storedKey(key);
    if (!storedKey) return;
    const ttlMs = options.ttlMs ?? this.ttl(key.layer);
    await this.entries
      .writeValue({ storedKey, layer: key.layer, value, credit: options.credit, ttlMs })
      .catch(failOpen);
  }

  async delete(key: CacheKey): Promise<boolean> {
    const storedKey = await this.storedKey(key);
    if (!storedKey) return false;
    return this.entries.delete(storedKey, key.layer).then(
      () => true,
      () => false,
    );
  }

  invalidate(companyId: string, layers?: CacheLayer[]): Promise<Partial<Record<CacheLayer, number>>> {
    return this.invalidator.invalidate(companyId, layers);
  }

  /** CACHE_ENABLED=false: nothing is read or stored (sessions and preferences are state, in the database). */
  private bypassed(): boolean {
    return !this.config.cache.enabled;
  }

  private async lookup<T>(key: CacheKey): Promise<(Envelope<T> & { storedKey: string }) | undefined> {
    if (this.bypassed()) return undefined;
    const storedKey = await this.storedKey(key);
    if (!storedKey) return undefined;
    const envelope = await this.entries.readValue<T>(storedKey, key.layer).catch(failOpen);
    if (!envelope || Date.now() >= envelope.exp) {
      this.recorder.lookup(key, 'miss');
      return undefined;
    }
    this.recorder.lookup(key, 'hit', envelope.credit);
    return { ...envelope, storedKey };
  }

  private async storeValue<T>(storedKey: string, options: GetOrComputeOptions<T>, value: T): Promise<void> {
    await this.entries
      .writeValue({
        storedKey,
        layer: options.key.layer,
        value,
        credit: options.credit?.(value),
        ttlMs: options.ttlMs ?? this.ttl(options.key.layer),
        graceMs: options.staleWhileRevalidateMs,
      })
      .catch(failOpen);
  }

  private async storeResponse<T>(
    storedKey: string,
    options: GetOrComputeResponseOptions<T>,
    value: T,
  ): Promise<void> {
    const layer = options.key.layer;
    const ttlMs = options.ttlMs ?? this.ttl(layer);
    const entry = { exp: Date.now() + ttlMs, credit: options.credit?.(value), body: options.replay(value) };
    const keepMs = ttlMs + (options.staleWhileRevalidateMs ?? 0);
    await this.entries.writeResponse(storedKey, layer, entry, keepMs).catch(failOpen);
  }

  /** Cache paths fail open: the versioned key, or undefined when the generations cannot be read. */
  private storedKey(key: CacheKey): Promise<string | undefined> {
    return this.recorder.track('get', key.layer, () => this.invalidator.versionedKey(key)).catch(failOpen);
  }

  private ttl(layer: CacheLayer): number {
    return this.config.cache.ttlMs[layer];
  }
}

import type { CacheLayer } from '../../../common/cache/cache-layers';

export { CACHE_LAYERS, type CacheLayer } from '../../../common/cache/cache-layers';

/**
 * The cache every module uses: tenant-namespaced layers with per-layer TTLs, single-flight on misses,
 * stale-while-revalidate, sliding reads and per-company invalidation. Implemented by
 * `LayeredCacheService` (cache-manager 7 + Keyv: @keyv/redis in services mode, memory in embedded mode).
 * Every call is bounded by a short timeout behind a circuit breaker: a failing store turns into misses,
 * never into a failed or slow request.
 */

/** Every kind a key may name, per layer: a key of another kind does not compile. */
export const CACHE_KINDS = {
  vector: ['search', 'retrieval'],
  llm: ['summary', 'grounded-answer', 'reply-draft', 'semantic', 'base-demand'],
  api: ['init', 'init-revision'],
  session: ['session', 'ticket'],
  prefs: ['agent-preferences'],
} as const satisfies Record<CacheLayer, readonly string[]>;
export type CacheKind = (typeof CACHE_KINDS)[CacheLayer][number];
export type LlmCacheKind = (typeof CACHE_KINDS)['llm'][number];

/** How an answer was served, as reported in `X-Cache`. */
export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

/**
 * A key built by the one pure key builder (`cache-keys.ts`: `cacheKey(...)`). `kind` names what is cached
 * (CACHE_KINDS: `search`, `grounded-answer`, `summary`, `init`, `reply-draft`, ...); `hash` covers the normalized inputs and the
 * versions (prompt, model, index) that shaped the value. The company always comes from the authenticated
 * request. `toString()` gives `{layer}:{company_id}:{kind}:{hash}`.
 */
export interface CacheKey {
  readonly layer: CacheLayer;
  readonly companyId: string;
  readonly kind: CacheKind;
  readonly hash: string;
  toString(): string;
}

/** What serving a value from cache avoided: credited to the company's savings ledger on every hit. */
export interface CacheCredit {
  tokens: number;
  costUsd: number;
}

/** `no-cache`: skip the read and refresh the entry; `no-store`: compute and do not write. */
export type CacheMode = 'default' | 'no-cache' | 'no-store';

export interface GetOrComputeOptions<T> {
  key: CacheKey;
  compute: () => Promise<T>;
  /** Defaults to the layer's configured TTL. */
  ttlMs?: number;
  /** After the TTL, serve the stale value for this long while one refresh runs (LLM artifacts). */
  staleWhileRevalidateMs?: number;
  mode?: CacheMode;
  /** Stored with the value; each later hit credits it to the savings ledger. */
  credit?: (value: T) => CacheCredit | undefined;
  /** Values for which this returns false are returned but not stored (partial or degraded answers). */
  shouldStore?: (value: T) => boolean;
}

export interface CacheResult<T> {
  value: T;
  status: CacheStatus;
}

/** A cached HTTP response: on a MISS the computed value (the framework serializes it), else the stored body. */
export type ResponseResult<T> = { status: 'MISS'; value: T } | { status: 'HIT' | 'STALE'; body: string };

/**
 * What a read of a response key found (the stored entry, or none) under its generation-versioned key. Opaque
 * to callers: the fast path gets one from the store-backed cache and hands it back with the request.
 */
export interface ResponseLookup {
  key: CacheKey;
  storedKey: string;
  entry?: { exp: number; credit?: CacheCredit; body: string };
}

export interface GetOrComputeResponseOptions<T> extends GetOrComputeOptions<T> {
  /** The body a later hit sends, serialized once when the value is stored (e.g. with `cached: true`). */
  replay: (value: T) => string;
  /** This request's read of `key`, made by the fast path: the default mode uses it instead of reading again. */
  lookup?: ResponseLookup;
}

export abstract class LayeredCache {
  /** Read-through with single-flight: concurrent identical misses run `compute` once. */
  abstract getOrCompute<T>(options: GetOrComputeOptions<T>): Promise<CacheResult<T>>;
  /**
   * getOrCompute for HTTP responses: a hit is the serialized replay body, sent as is. The default keeps the
   * value and serializes on each hit; the store-backed cache keeps the serialized body (no parse, no stringify).
   */
  async getOrComputeResponse<T>(options: GetOrComputeResponseOptions<T>): Promise<ResponseResult<T>> {
    const { value, status } = await this.getOrCompute(options);
    return status === 'MISS' ? { status, value } : { status, body: options.replay(value) };
  }
  /** undefined on a miss, and on any store failure or timeout. Counts a hit or a miss. */
  abstract get<T>(key: CacheKey): Promise<T | undefined>;
  /** Sliding read: a hit extends the entry's TTL to `ttlMs` (default: the layer's TTL). */
  abstract getAndTouch<T>(key: CacheKey, ttlMs?: number): Promise<T | undefined>;
  /** Best effort: a store failure is reported (log + metric), never thrown. */
  abstract set<T>(key: CacheKey, value: T, options?: { ttlMs?: number; credit?: CacheCredit }): Promise<void>;
  /**
   * True when the store confirmed the removal (nothing is left under the key's current generation); false
   * when it could not be reached or the generations could not be read. Never throws.
   */
  abstract delete(key: CacheKey): Promise<boolean>;
  /**
   * Invalidates a company's entries in the given layers (all when omitted) by bumping their generation
   * counters (O(1), effective at once on every instance) and sweeping old keys in the background
   * (SCAN + UNLINK). Returns the number of keys found per layer.
   */
  abstract invalidate(companyId: string, layers?: CacheLayer[]): Promise<Partial<Record<CacheLayer, number>>>;
}

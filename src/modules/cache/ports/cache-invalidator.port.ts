import type { CacheKey, CacheKind, CacheLayer } from './layered-cache.port';

/**
 * Generations and invalidation. Every stored key carries the company's generations of its layer and kind
 * (`{layer}:{company_id}:{kind}:{hash}:{gen}.{kindGen}`), so invalidating is a counter bump, effective at once
 * on every instance; entries of older generations are swept in the background (SCAN + UNLINK, never KEYS).
 */
export abstract class CacheInvalidator {
  /** The key as stored now; throws when the generations cannot be read or an invalidation of it is owed. */
  abstract versionedKey(key: CacheKey): Promise<string>;
  /**
   * Bumps the layers (all when omitted) and sweeps, waiting for the sweep a bounded time; the keys found per
   * layer. A bump the store does not take is owed and retried, and thrown as an AppError 503.
   */
  abstract invalidate(companyId: string, layers?: CacheLayer[]): Promise<Partial<Record<CacheLayer, number>>>;
  /**
   * Invalidation that follows the data: whole layers and single kinds at once, swept in the background. Never
   * throws: a bump the store does not take is owed and retried, and its entries are not used meanwhile.
   */
  abstract bumpGenerations(input: {
    companyId: string;
    layers?: CacheLayer[];
    kinds?: Array<{ layer: CacheLayer; kind: CacheKind }>;
  }): Promise<void>;
  /** Companies whose invalidation has not reached the store yet, and how many generation fields each. */
  abstract pendingInvalidations(): Map<string, number>;
}

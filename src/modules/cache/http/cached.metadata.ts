import type { AppConfig } from '../../../config/config';
import type { CacheKind, CacheLayer } from '../ports/layered-cache.port';

/** The metadata `@Cached` puts on a route, read by the interceptor and the fast path. */
export const CACHED = 'cache:cached';

export interface CachedOptions {
  /** Responses for which this returns false are sent but not stored (degraded answers). */
  shouldStore?: (value: unknown) => boolean;
  /** What else shaped the response (model, index or prompt version), folded into the key's hash. */
  versions?: (config: AppConfig) => Record<string, string | number>;
  /** Replays set `cached: true` in the body (responses with a `cached` member, per API.md). */
  markCached?: boolean;
  /** Serve an expired entry for the configured grace while one refresh runs (LLM artifacts). */
  staleWhileRevalidate?: boolean;
}

export interface CachedMetadata extends CachedOptions {
  layer: CacheLayer;
  kind: CacheKind;
}

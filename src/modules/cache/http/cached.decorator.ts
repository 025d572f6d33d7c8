import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { AppConfig } from '../../../config/config';
import type { CacheLayer } from '../ports/layered-cache.port';
import { TenantCacheInterceptor } from './tenant-cache.interceptor';

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
  kind: string;
}

/**
 * Caches a tenant route's response in `layer` under `kind`: GET and POST, keyed by route, canonical query and
 * body and the authenticated company (never a client-supplied one). Sets `X-Cache: HIT|MISS|STALE` and
 * honours `Cache-Control: no-cache` (skip the read, refresh the entry) and `no-store` (do not write).
 * Use this, not Nest's CacheInterceptor, which is GET-only and keys by URL alone (shared across tenants).
 */
export const Cached = (layer: CacheLayer, kind: string, options: CachedOptions = {}) =>
  applyDecorators(
    SetMetadata(CACHED, { layer, kind, ...options } satisfies CachedMetadata),
    UseInterceptors(TenantCacheInterceptor),
  );

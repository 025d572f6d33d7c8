import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { CacheKind, CacheLayer } from '../ports/layered-cache.port';
import { CACHED, CachedMetadata, CachedOptions } from './cached.metadata';
import { TenantCacheInterceptor } from './tenant-cache.interceptor';

/**
 * Caches a tenant route's response in `layer` under `kind`: GET and POST, keyed by route, canonical query and
 * body and the authenticated company (never a client-supplied one). Sets `X-Cache: HIT|MISS|STALE` and
 * honours `Cache-Control: no-cache` (skip the read, refresh the entry) and `no-store` (do not write).
 * Use this, not Nest's CacheInterceptor, which is GET-only and keys by URL alone (shared across tenants).
 */
export const Cached = (layer: CacheLayer, kind: CacheKind, options: CachedOptions = {}) =>
  applyDecorators(
    SetMetadata(CACHED, { layer, kind, ...options } satisfies CachedMetadata),
    UseInterceptors(TenantCacheInterceptor),
  );

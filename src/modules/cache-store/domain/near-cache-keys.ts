import type { CacheLayer } from '../../../common/cache/cache-layers';

/**
 * Which stored keys the in-process near cache may hold, and whose they are. Stored keys are
 * `{layer}:{company_id}:{kind}:{hash}:{gen}.{kindGen}` (cache-keys.ts + the invalidator's suffix), so an entry
 * is bound to the generations it was stored under: a bump makes every instance address another key.
 */
const NEAR_LAYERS: ReadonlySet<CacheLayer> = new Set<CacheLayer>(['vector', 'llm', 'api']);
/**
 * Kinds rewritten in place under one key (the semantic answers' index is read, extended and written back):
 * a copy held by one instance would hide another instance's writes and lose them on its next write.
 */
const REWRITTEN_KINDS: ReadonlySet<string> = new Set(['semantic']);

/** The company of a near-cacheable stored key, or undefined for keys that stay in the shared store only. */
export function nearCacheCompany(storedKey: string): string | undefined {
  const layerEnd = storedKey.indexOf(':');
  if (layerEnd < 0 || !NEAR_LAYERS.has(storedKey.slice(0, layerEnd) as CacheLayer)) return undefined;
  const companyEnd = storedKey.indexOf(':', layerEnd + 1);
  if (companyEnd < 0) return undefined;
  const kindEnd = storedKey.indexOf(':', companyEnd + 1);
  if (kindEnd < 0 || REWRITTEN_KINDS.has(storedKey.slice(companyEnd + 1, kindEnd))) return undefined;
  return storedKey.slice(layerEnd + 1, companyEnd);
}

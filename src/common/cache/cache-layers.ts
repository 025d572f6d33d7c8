/**
 * The cache's layers (API.md), TTLs from configuration. Here, below both, so the cache and the metrics that
 * label its operations share one definition without importing each other.
 */
export type CacheLayer = 'llm' | 'vector' | 'session' | 'api' | 'prefs';
export const CACHE_LAYERS: readonly CacheLayer[] = ['llm', 'vector', 'session', 'api', 'prefs'];

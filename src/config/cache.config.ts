import { IsOptional } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsIntString } from './validators';

class CacheEnv {
  @IsOptional() @IsBoolString() CACHE_ENABLED?: string = undefined;
  @IsOptional() @IsBoolString() CACHE_FAST_PATH?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_TTL_LLM_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_TTL_VECTOR_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_TTL_SESSION_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_TTL_API_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_TTL_PREFS_MS?: string = undefined;
  @IsOptional() @IsIntString(0) CACHE_SWR_GRACE_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_OP_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_STATE_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_BREAKER_THRESHOLD?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_BREAKER_HALF_OPEN_MS?: string = undefined;
  @IsOptional() @IsIntString(0) CACHE_GENERATION_LOCAL_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_SWEEP_BATCH?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_SWEEP_WAIT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_STATS_FLUSH_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_MEMORY_MAX_ENTRIES?: string = undefined;
  @IsOptional() @IsIntString(0) CACHE_NEAR_MAX_ENTRIES?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_NEAR_TTL_MS?: string = undefined;
}

export interface CacheTtls {
  llm: number;
  vector: number;
  session: number;
  api: number;
  prefs: number;
}

export interface CacheSettings {
  /** false: every read of derived values misses and nothing is written (cost replays); sessions still work. */
  enabled: boolean;
  /** Answer hits of `@Cached` routes in Fastify's preHandler, before Nest's pipeline (same checks, same result). */
  fastPath: boolean;
  /** Per layer, in milliseconds (API.md: LLM 24 h, vector 30 min, session 2 h sliding, API 5 min, prefs 7 d). */
  ttlMs: CacheTtls;
  /** How long an expired LLM artifact may still be served while one refresh runs. */
  swrGraceMs: number;
  /** Bound of every cache call: past it the call is a miss, so a slow Redis never slows a request much. */
  opTimeoutMs: number;
  /** Sessions are state, not copies: their reads and writes get longer than cache reads before a 503. */
  stateTimeoutMs: number;
  breaker: { threshold: number; halfOpenAfterMs: number };
  /** Generation counters are re-read at most this often; pub/sub drops the local copy at once on a bump. */
  generationLocalMs: number;
  /** SCAN COUNT and UNLINK batch size of invalidation sweeps. */
  sweepBatch: number;
  /** The admin invalidation waits this long for its sweep's counts; the sweep then continues in the background. */
  sweepWaitMs: number;
  /** Hit/miss/savings counters are summed in process and added to Redis this often. */
  statsFlushMs: number;
  /** Embedded mode: entries kept in memory (least recently written dropped first). */
  memoryMaxEntries: number;
  /**
   * Services mode: the in-process near cache in front of Redis (response, vector and LLM entries; 0 entries
   * turns it off). Entries are bound to their generations; the TTL bounds how long a missed announcement lasts.
   */
  near: { maxEntries: number; ttlMs: number };
}

const HOUR = 3_600_000;

export const cacheConfig = defineConfig<CacheEnv, CacheSettings>('cache', CacheEnv, (env) => ({
  enabled: toBool(env.CACHE_ENABLED, true),
  fastPath: toBool(env.CACHE_FAST_PATH, true),
  ttlMs: {
    llm: toInt(env.CACHE_TTL_LLM_MS, 24 * HOUR),
    vector: toInt(env.CACHE_TTL_VECTOR_MS, HOUR / 2),
    session: toInt(env.CACHE_TTL_SESSION_MS, 2 * HOUR),
    api: toInt(env.CACHE_TTL_API_MS, 5 * 60_000),
    prefs: toInt(env.CACHE_TTL_PREFS_MS, 7 * 24 * HOUR),
  },
  swrGraceMs: toInt(env.CACHE_SWR_GRACE_MS, HOUR),
  opTimeoutMs: toInt(env.CACHE_OP_TIMEOUT_MS, 50),
  stateTimeoutMs: toInt(env.CACHE_STATE_TIMEOUT_MS, 500),
  breaker: {
    threshold: toInt(env.CACHE_BREAKER_THRESHOLD, 5),
    halfOpenAfterMs: toInt(env.CACHE_BREAKER_HALF_OPEN_MS, 2_000),
  },
  generationLocalMs: toInt(env.CACHE_GENERATION_LOCAL_MS, 1_000),
  sweepBatch: toInt(env.CACHE_SWEEP_BATCH, 500),
  sweepWaitMs: toInt(env.CACHE_SWEEP_WAIT_MS, 2_000),
  statsFlushMs: toInt(env.CACHE_STATS_FLUSH_MS, 1_000),
  memoryMaxEntries: toInt(env.CACHE_MEMORY_MAX_ENTRIES, 50_000),
  near: {
    maxEntries: toInt(env.CACHE_NEAR_MAX_ENTRIES, 10_000),
    ttlMs: toInt(env.CACHE_NEAR_TTL_MS, 5_000),
  },
}));

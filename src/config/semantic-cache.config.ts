import { IsOptional, Matches } from 'class-validator';
import { defineConfig, toBool, toFloat, toInt } from './define-config';
import { IsBoolString, IsIntString } from './validators';

class SemanticCacheEnv {
  @IsOptional() @IsBoolString() SEMANTIC_CACHE_ENABLED?: string = undefined;
  @IsOptional()
  @Matches(/^(0(\.\d+)?|1(\.0+)?)$/, { message: 'must be a number between 0 and 1' })
  SEMANTIC_CACHE_THRESHOLD?: string = undefined;
  @IsOptional() @IsIntString(1) SEMANTIC_CACHE_MAX_ENTRIES?: string = undefined;
  @IsOptional() @IsIntString(1) SEMANTIC_CACHE_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_POPULARITY_HALF_LIFE_HOURS?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_POPULARITY_MAX_ENTRIES?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_POPULARITY_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsBoolString() CACHE_WARM_ENABLED?: string = undefined;
  @IsOptional()
  @Matches(/^(\S+\s+){4,5}\S+$/, { message: 'must be a cron expression of 5 or 6 fields, e.g. "0 2 * * *"' })
  CACHE_WARM_CRON?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_WARM_TOP_N?: string = undefined;
  @IsOptional() @IsIntString(1) CACHE_WARM_LOCK_TTL_MS?: string = undefined;
}

export interface SemanticCacheSettings {
  semantic: {
    /** Off: lookups always miss and nothing is stored. */
    enabled: boolean;
    /** Minimum cosine between two questions' embeddings; chosen by `npm run eval:semantic-cache`. */
    threshold: number;
    /** Questions kept per company and scope (most recent first); bounds each lookup's work. */
    maxEntries: number;
    /** Deadline for a whole lookup or store, embedding included: past it, a miss. */
    timeoutMs: number;
  };
  popularity: {
    /** A query's weight halves after this long, so yesterday's hot question outranks last month's. */
    halfLifeMs: number;
    /** Distinct queries kept per company (the lowest scores are trimmed). */
    maxEntries: number;
    timeoutMs: number;
  };
  warming: {
    enabled: boolean;
    /** When the nightly warm runs (server time zone). */
    cron: string;
    /** Popular queries warmed per company and run. */
    topN: number;
    /** One instance warms a company at a time; the lock expires after this in case its holder dies. */
    lockTtlMs: number;
  };
}

export const semanticCacheConfig = defineConfig<SemanticCacheEnv, SemanticCacheSettings>(
  'semanticCache',
  SemanticCacheEnv,
  (env) => ({
    semantic: {
      enabled: toBool(env.SEMANTIC_CACHE_ENABLED, true),
      // From `npm run eval:semantic-cache` (local hashing embedder v2, 9,342 pairs): the lowest threshold whose
      // wrong-hit rate, guard on, is ≤ 1% (0.9% overall; 7.9% with the guard off, which must stay on).
      threshold: toFloat(env.SEMANTIC_CACHE_THRESHOLD, 0.86),
      maxEntries: toInt(env.SEMANTIC_CACHE_MAX_ENTRIES, 100),
      timeoutMs: toInt(env.SEMANTIC_CACHE_TIMEOUT_MS, 1_500),
    },
    popularity: {
      halfLifeMs: toInt(env.CACHE_POPULARITY_HALF_LIFE_HOURS, 72) * 3_600_000,
      maxEntries: toInt(env.CACHE_POPULARITY_MAX_ENTRIES, 1_000),
      timeoutMs: toInt(env.CACHE_POPULARITY_TIMEOUT_MS, 100),
    },
    warming: {
      enabled: toBool(env.CACHE_WARM_ENABLED, true),
      cron: env.CACHE_WARM_CRON ?? '0 2 * * *',
      topN: toInt(env.CACHE_WARM_TOP_N, 20),
      lockTtlMs: toInt(env.CACHE_WARM_LOCK_TTL_MS, 10 * 60_000),
    },
  }),
);

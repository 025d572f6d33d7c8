import { IsOptional, IsString, Matches } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsHttpUrl, IsIntString } from './validators';

class SearchEnv {
  @IsOptional() @IsHttpUrl() QDRANT_URL?: string = undefined;
  @IsOptional() @IsString() QDRANT_API_KEY?: string = undefined;
  @IsOptional() @IsIntString(1) QDRANT_TIMEOUT_MS?: string = undefined;
  @IsOptional()
  @Matches(/^[a-z0-9_-]{0,40}$/, { message: 'must be up to 40 characters of [a-z0-9_-]' })
  QDRANT_COLLECTION_PREFIX?: string = undefined;
  @IsOptional() @IsIntString(1) QDRANT_UPSERT_BATCH_SIZE?: string = undefined;
  @IsOptional() @IsIntString(1) HNSW_M?: string = undefined;
  @IsOptional() @IsIntString(1) HNSW_EF_CONSTRUCTION?: string = undefined;
  @IsOptional() @IsIntString(1) HNSW_EF_SEARCH?: string = undefined;
  @IsOptional() @IsIntString(0) VECTOR_EXACT_SEARCH_MAX?: string = undefined;
  @IsOptional() @IsIntString(0) VECTOR_PERSIST_DEBOUNCE_MS?: string = undefined;
  @IsOptional() @IsBoolString() SEARCH_HYBRID?: string = undefined;
  @IsOptional() @IsIntString(0) SEARCH_RRF_K?: string = undefined;
  @IsOptional()
  @Matches(/^(\d{1,3}(\.\d{1,4})?)$/, { message: 'must be a non-negative decimal number, e.g. 0.5' })
  SEARCH_RRF_LEXICAL_WEIGHT?: string = undefined;
}

/**
 * RRF smoothing constant and keyword-list weight (the vector list weighs 1), used when SEARCH_HYBRID=true.
 * Picked on the tuning split of `EVAL_QUERIES=1000 npm run eval:retrieval -- --hybrid --lexical=both` (best
 * mean p@5 over BANKING77 and Bitext of a 7 weights × 4 k grid), never on the held-out numbers it reports.
 */
export const DEFAULT_RRF_K = 20;
export const DEFAULT_RRF_LEXICAL_WEIGHT = 0.5;

export interface HnswSettings {
  /** Graph degree. */
  m: number;
  efConstruction: number;
  /** Candidate list size at query time (raised to k when k is larger). */
  efSearch: number;
}

export interface SearchSettings {
  /** qdrant: QDRANT_URL is set; embedded: the in-process index under DATA_DIR. */
  vectorStore: 'qdrant' | 'embedded';
  qdrantUrl?: string;
  qdrantApiKey?: string;
  /** Deadline for every Qdrant call. */
  qdrantTimeoutMs: number;
  /** Prepended to the per-type collection names (tickets, articles), e.g. to share one Qdrant between stages. */
  qdrantCollectionPrefix: string;
  qdrantUpsertBatchSize: number;
  hnsw: HnswSettings;
  /** Partitions (or filtered candidate sets) up to this size are searched exactly instead of through HNSW. */
  exactSearchMax: number;
  /** Index writes are batched and persisted at most this long after the first unsaved change. */
  persistDebounceMs: number;
  /** Fuse keyword (BM25) results with vector results; false: vector only, keywords only as the fallback. */
  hybrid: boolean;
  /** Reciprocal rank fusion: score = Σ weight / (rrfK + rank); the vector list weighs 1. */
  rrfK: number;
  rrfLexicalWeight: number;
}

export const searchConfig = defineConfig<SearchEnv, SearchSettings>('search', SearchEnv, (env) => ({
  vectorStore: env.QDRANT_URL ? 'qdrant' : 'embedded',
  qdrantUrl: env.QDRANT_URL,
  qdrantApiKey: env.QDRANT_API_KEY,
  qdrantTimeoutMs: toInt(env.QDRANT_TIMEOUT_MS, 5_000),
  qdrantCollectionPrefix: env.QDRANT_COLLECTION_PREFIX ?? '',
  qdrantUpsertBatchSize: toInt(env.QDRANT_UPSERT_BATCH_SIZE, 256),
  // `npm run bench:vector` (384-d, 2 shared vCPU), 100k embeddings of generated EN/KO tickets: recall@10
  // 0.993 / 0.997 / 1.000 at efSearch 64 / 128 / 256, p50 0.35 / 0.52 / 0.98 ms. Uniform random vectors (no
  // neighbourhood structure, which text never produces) stay far lower (0.76 at 100k): not the target data.
  // efConstruction 100 is Qdrant's default ef_construct: insertions take 130 µs instead of 231 µs at 200
  // (10k generated tickets, 384-d), with recall@10 still 1.000 at 20k (`--sizes=20000 --ef=64,256`).
  hnsw: {
    m: toInt(env.HNSW_M, 16),
    efConstruction: toInt(env.HNSW_EF_CONSTRUCTION, 100),
    efSearch: toInt(env.HNSW_EF_SEARCH, 256),
  },
  exactSearchMax: toInt(env.VECTOR_EXACT_SEARCH_MAX, 5_000),
  persistDebounceMs: toInt(env.VECTOR_PERSIST_DEBOUNCE_MS, 2_000),
  // Off by default: it does not beat vector-only on both datasets. `EVAL_QUERIES=1000 npm run eval:retrieval --
  // --hybrid --lexical=both` (hashing d=512, BM25 in memory and in PostgreSQL give identical lists), held-out
  // p@5 vector / keyword / hybrid (w=0.5, k=20): BANKING77 0.775 / 0.730 / 0.788, Bitext 0.927 / 0.906 / 0.925;
  // on the tuning split no grid setting gains on Bitext (best worst-case gain -0.0006). Keywords stay the
  // fallback when the embedder or vector store is down.
  hybrid: toBool(env.SEARCH_HYBRID, false),
  rrfK: toInt(env.SEARCH_RRF_K, DEFAULT_RRF_K),
  rrfLexicalWeight:
    env.SEARCH_RRF_LEXICAL_WEIGHT === undefined
      ? DEFAULT_RRF_LEXICAL_WEIGHT
      : Number(env.SEARCH_RRF_LEXICAL_WEIGHT),
}));

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
}

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
  hnsw: {
    m: toInt(env.HNSW_M, 16),
    efConstruction: toInt(env.HNSW_EF_CONSTRUCTION, 200),
    efSearch: toInt(env.HNSW_EF_SEARCH, 256),
  },
  exactSearchMax: toInt(env.VECTOR_EXACT_SEARCH_MAX, 5_000),
  persistDebounceMs: toInt(env.VECTOR_PERSIST_DEBOUNCE_MS, 2_000),
  // `npm run eval:retrieval -- --hybrid` (hashing d=512), p@5 vector / hybrid: with the in-process BM25
  // (embedded mode) 0.772 / 0.782 on BANKING77 and 0.926 / 0.922 on Bitext. With PostgreSQL full text
  // (services mode, `--lexical=postgres`, 1000 queries) 0.767 / 0.689 and 0.926 / 0.871 (ts_rank_cd has no
  // IDF), yet fusion still fixes paraphrased Korean queries that vectors alone rank wrong (search e2e).
  hybrid: toBool(env.SEARCH_HYBRID, true),
}));

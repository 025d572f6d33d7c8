import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { llmProviderOf } from './llm.config';
import { IsBoolString, IsHttpUrl, IsIntString } from './validators';

const DECIMAL = /^(\d{1,3}(\.\d{1,4})?)$/;
const DECIMAL_MESSAGE = 'must be a non-negative decimal number, e.g. 0.5';
const SIGNED_DECIMAL = /^-?(\d(\.\d{1,4})?)$/;
const SIGNED_DECIMAL_MESSAGE = 'must be a decimal number from -9.9999 to 9.9999, e.g. 0.35';

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
  @IsOptional() @IsIn(['score', 'rrf'], { message: 'must be score or rrf' }) SEARCH_FUSION?: string =
    undefined;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) SEARCH_KEYWORD_WEIGHT?: string = undefined;
  @IsOptional()
  @Matches(SIGNED_DECIMAL, { message: SIGNED_DECIMAL_MESSAGE })
  RELEVANCE_FLOOR_TICKET?: string = undefined;
  @IsOptional()
  @Matches(SIGNED_DECIMAL, { message: SIGNED_DECIMAL_MESSAGE })
  RELEVANCE_FLOOR_ARTICLE?: string = undefined;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) RELEVANCE_FLOOR_KEYWORD?: string = undefined;
}

/**
 * RRF smoothing constant and keyword-list weight (the vector list weighs 1), used when SEARCH_HYBRID=true.
 * Picked on the tuning split of `EVAL_QUERIES=1000 npm run eval:retrieval -- --hybrid --lexical=both` (best
 * mean p@5 over BANKING77 and Bitext of a 7 weights × 4 k grid), never on the held-out numbers it reports.
 */
export const DEFAULT_RRF_K = 20;
export const DEFAULT_RRF_LEXICAL_WEIGHT = 0.5;
/** Score fusion: cosine + 1 × normalized keyword score (see README "Retrieval" for the measurement). */
export const DEFAULT_KEYWORD_WEIGHT = 1;
/**
 * Grounding relevance floors (cosine + keyword weight × keyword score, per type; the keyword score alone while
 * vectors are down), chosen for the local embedder (local-hash-v2) on `npm run eval:answers`: the best worst case
 * of in-scope answered / 90% and out-of-scope "nothing found" / 95% over both companies in the sweep it prints
 * (README "Retrieval"). Articles had no data of their own to measure on: they share the tickets' floor.
 */
export const DEFAULT_RELEVANCE_FLOOR: RelevanceFloor = { ticket: 0.8, article: 0.8, keyword: 0.3 };

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
  /**
   * How hybrid search orders: `score` by cosine + keywordWeight × normalized keyword score (a list's missing
   * score counts 0); `rrf` by reciprocal rank fusion, Σ weight / (rrfK + rank), the vector list weighing 1.
   */
  fusion: 'score' | 'rrf';
  keywordWeight: number;
  rrfK: number;
  rrfLexicalWeight: number;
  /** What may ground an answer or a draft: results scoring below their floor are not used as sources. */
  relevanceFloor: RelevanceFloor;
}

export interface RelevanceFloor {
  /** Grounding relevance per data type: cosine + keywordWeight × normalized keyword score. */
  ticket: number;
  article: number;
  /** The normalized keyword score alone, while vector search is unavailable. */
  keyword: number;
}

export const searchConfig = defineConfig<SearchEnv, SearchSettings>('search', SearchEnv, (env, raw) => ({
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
  // On by default with score fusion: through the API (`npm run eval:retrieval -- --api`, README "Retrieval")
  // it beats vector-only on both datasets, where rank fusion gained on BANKING77 only. Keywords are also the
  // fallback when the embedder or vector store is down.
  hybrid: toBool(env.SEARCH_HYBRID, true),
  fusion: env.SEARCH_FUSION === 'rrf' ? 'rrf' : 'score',
  keywordWeight: toDecimal(env.SEARCH_KEYWORD_WEIGHT, DEFAULT_KEYWORD_WEIGHT),
  rrfK: toInt(env.SEARCH_RRF_K, DEFAULT_RRF_K),
  rrfLexicalWeight:
    env.SEARCH_RRF_LEXICAL_WEIGHT === undefined
      ? DEFAULT_RRF_LEXICAL_WEIGHT
      : Number(env.SEARCH_RRF_LEXICAL_WEIGHT),
  relevanceFloor: relevanceFloorOf(env, llmProviderOf(raw)),
}));

/**
 * The floors were measured on the local embedder's cosine scale; another embedder's scale differs, so with
 * OpenAI embeddings there is no floor until RELEVANCE_FLOOR_* are set from a measurement of that model.
 */
function relevanceFloorOf(env: SearchEnv, provider: 'openai' | 'local'): RelevanceFloor {
  const defaults = provider === 'local' ? DEFAULT_RELEVANCE_FLOOR : NO_RELEVANCE_FLOOR;
  return {
    ticket: toDecimal(env.RELEVANCE_FLOOR_TICKET, defaults.ticket),
    article: toDecimal(env.RELEVANCE_FLOOR_ARTICLE, defaults.article),
    keyword: toDecimal(env.RELEVANCE_FLOOR_KEYWORD, defaults.keyword),
  };
}

const NO_RELEVANCE_FLOOR: RelevanceFloor = {
  ticket: Number.NEGATIVE_INFINITY,
  article: Number.NEGATIVE_INFINITY,
  keyword: Number.NEGATIVE_INFINITY,
};

function toDecimal(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { isDatabaseConnectionError } from '../../common/errors/database-errors';
import { AppConfig } from '../../config/config';
import { LlmService } from '../llm/llm.service';
import { MetricsService } from '../metrics/metrics.service';
import { reciprocalRankFusion, RankedList } from './domain/rrf';
import { collectionNameOf, SearchDataType, SearchFilter, SearchHit } from './domain/search-document';
import { EmbedderVersions } from './embedder-versions.service';
import { LexicalIndex } from './ports/lexical-index.port';
import { DocumentPresence } from './ports/document-presence.port';
import { VectorIndex } from './ports/vector-index.port';

export const VECTOR_DEGRADED = 'vector search unavailable, keyword results only';
export const REINDEX_DEGRADED = 'embedding model changed: re-index needed, keyword results only';
/**
 * The database is unreachable (a restart, a failover): the keyword index (PostgreSQL full text in services mode)
 * cannot answer and results cannot be checked against rows deleted in the moments before, whose index entries
 * the worker may not have purged yet. Vector results answer meanwhile, and say so.
 */
export const DATABASE_DEGRADED =
  'database unavailable: vector results only, not re-checked against recent deletions';

/** True for the degradations that leave keyword results only (their relevance floor is the keyword one). */
export const isKeywordOnly = (degraded: string | undefined): boolean =>
  degraded === VECTOR_DEGRADED || degraded === REINDEX_DEGRADED;

/** An index or store that cannot be reached: a 503 of ours or a database connection failure. */
function isUnreachable(error: unknown): boolean {
  return (
    (error instanceof AppError && error.code === ErrorCode.DependencyUnavailable) ||
    isDatabaseConnectionError(error)
  );
}

/** Each list contributes this many candidates per requested result before fusion. */
const CANDIDATES_PER_RESULT = 3;

export interface SearchInput {
  companyId: string;
  query: string;
  dataTypes: SearchDataType[];
  limit: number;
  filter?: SearchFilter;
  /** The query's embedding when the caller shares one with other layers (Assist); else embedded here. */
  embedQuery?: () => Promise<Float32Array>;
}

/** The scale of a result's `score`: cosine similarity of embeddings, or the normalized BM25 keyword score. */
export type ScoreType = 'cosine' | 'keyword';

export interface SearchResult {
  type: SearchDataType;
  id: string;
  /** Relevance on the scale `score_type` names (never the fusion rank). */
  score: number;
  score_type: ScoreType;
  /** The normalized keyword score (0-1) when keyword search found the document too. */
  keyword_score?: number;
  /** The value the results are ordered by (score or rank fusion; see SearchSettings.fusion). */
  fusion_score: number;
  title: string;
  summary: string;
  status?: string;
  priority?: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  resolution?: string;
}

export interface SearchOutcome {
  results: SearchResult[];
  cached: boolean;
  degraded?: string;
}

/**
 * Search: the query's embedding against the vector index per data type; with SEARCH_HYBRID also its words
 * against the lexical index with the same company and filter, fused by weighted rank (RRF). Knows nothing
 * of HTTP, so a cache layer can wrap `search` as is. When the embedder or the vector store is down, keyword results still answer.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly llm: LlmService,
    private readonly vectors: VectorIndex,
    private readonly lexical: LexicalIndex,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly presence: DocumentPresence,
    private readonly versions: EmbedderVersions,
  ) {}

  async search(input: SearchInput): Promise<SearchOutcome> {
    const { companyId, query, dataTypes, limit, filter } = input;
    const k = limit * CANDIDATES_PER_RESULT;
    const useLexical = this.config.search.hybrid;

    const lexicalSearch = () =>
      Promise.all(dataTypes.map((type) => this.lexical.search({ companyId, type, query, k, filter })));
    const [vectorLists, lexicalOutcome] = await Promise.all([
      this.vectorLists({ companyId, query, dataTypes, k, filter, embedQuery: input.embedQuery }),
      useLexical
        ? lexicalSearch().catch((error: unknown) => {
            if (isUnreachable(error)) return 'unavailable' as const;
            throw error;
          })
        : Promise.resolve([]),
    ]);
    const vectorDown = vectorLists === 'unavailable' || vectorLists === 'reindex_needed';
    // Neither index can answer: nothing to degrade to.
    if (lexicalOutcome === 'unavailable' && vectorDown) {
      throw AppError.unavailable('search (the vector index and the keyword index are both unreachable)');
    }
    const lexicalDown = lexicalOutcome === 'unavailable';
    const lexicalLists = lexicalDown ? [] : lexicalOutcome;

    let lists: RankedList<SearchHit>[];
    let degraded: string | undefined;
    // A document found by the vector search is scored by its cosine; one found by keywords only by those.
    const cosineOf = new Map<string, number>();
    if (vectorLists !== 'unavailable' && vectorLists !== 'reindex_needed')
      for (const hit of vectorLists.flat()) cosineOf.set(keyOf(hit), hit.score);
    const keywordOf = new Map<string, number>();
    for (const hit of lexicalLists.flat()) keywordOf.set(keyOf(hit), hit.score);
    if (vectorDown) {
      // Keyword search is the fallback even when fusion is switched off.
      const keyword = useLexical ? lexicalLists : await lexicalSearch();
      lists = keyword.map((items) => ({ items }));
      degraded = vectorLists === 'reindex_needed' ? REINDEX_DEGRADED : VECTOR_DEGRADED;
    } else {
      if (lexicalDown) degraded = DATABASE_DEGRADED;
      const { rrfLexicalWeight } = this.config.search;
      lists = [
        ...vectorLists.map((items) => ({ items })),
        ...lexicalLists.map((items) => ({ items, weight: rrfLexicalWeight })),
      ];
    }

    const checked = await this.withoutDeleted(companyId, lists).catch((error: unknown) => {
      // Vector hits are still worth answering with while the database restarts (keyword-only ones are not:
      // the keyword index is the database's own); said so, and never cached (a degraded outcome is not stored).
      if (!vectorDown && isDatabaseConnectionError(error)) return undefined;
      throw error;
    });
    if (checked) lists = checked;
    else degraded = DATABASE_DEGRADED;
    // Each list best first, equal scores by id: the fused order never depends on an adapter's tie order.
    const sorted = lists.map((list) => ({ ...list, items: [...list.items].sort(byScoreThenId) }));
    const { fusion, keywordWeight, rrfK } = this.config.search;
    const fused =
      fusion === 'score' && !degraded
        ? scoreFusion(sorted, { keywordWeight, limit, keywordLists: lexicalLists.length })
        : reciprocalRankFusion<SearchHit>(sorted, { keyOf, k: rrfK, limit });
    const results = fused
      // Defence in depth: the ports are company-partitioned, and nothing else may ever leak out.
      .filter(({ item }) => item.payload.company_id === companyId)
      .map(({ item, key, score }) => {
        const cosine = cosineOf.get(key);
        const keyword = keywordOf.get(key);
        return toResult(item, {
          score: round(cosine ?? item.score),
          score_type: cosine === undefined ? 'keyword' : 'cosine',
          ...(cosine !== undefined && keyword !== undefined ? { keyword_score: round(keyword) } : {}),
          fusion_score: round(score),
        });
      });
    return degraded ? { results, cached: false, degraded } : { results, cached: false };
  }

  /**
   * Drops hits whose ticket or article is no longer stored: the index entries of a deleted item go after its row
   * (deletion outbox), and what is deleted is never returned or used for grounding, not even in between.
   */
  private async withoutDeleted(
    companyId: string,
    lists: RankedList<SearchHit>[],
  ): Promise<RankedList<SearchHit>[]> {
    const idsByType = new Map<SearchDataType, string[]>();
    for (const list of lists) {
      for (const hit of list.items) {
        const ids = idsByType.get(hit.type);
        if (ids) ids.push(hit.id);
        else idsByType.set(hit.type, [hit.id]);
      }
    }
    const present = new Map<SearchDataType, Set<string>>();
    await Promise.all(
      [...idsByType].map(async ([type, ids]) =>
        present.set(type, await this.presence.present({ companyId, type, ids })),
      ),
    );
    return lists.map((list) => ({
      ...list,
      items: list.items.filter((hit) => present.get(hit.type)?.has(hit.id) === true),
    }));
  }

  private async vectorLists(input: {
    companyId: string;
    query: string;
    dataTypes: SearchDataType[];
    k: number;
    filter?: SearchFilter;
    embedQuery?: () => Promise<Float32Array>;
  }): Promise<SearchHit[][] | 'unavailable' | 'reindex_needed'> {
    const { companyId, query, dataTypes, k, filter } = input;
    // Vectors of another embedder cannot be compared with this one's: a server-side state, never the caller's fault.
    for (const type of dataTypes) if (!(await this.versions.isCurrent(type))) return 'reindex_needed';
    try {
      const vector = input.embedQuery
        ? await input.embedQuery()
        : (await this.llm.embed({ companyId, texts: [query], priority: 'interactive' })).vectors[0];
      return await Promise.all(
        dataTypes.map((type) => this.timedVectorSearch({ companyId, type, vector, k, filter })),
      );
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.DependencyUnavailable) return 'unavailable';
      // The query vector is ours, not the caller's: a store that refuses it (e.g. another instance switched to a
      // collection of another size) is a server-side state; look again and answer from keywords meanwhile.
      if (error instanceof AppError && error.code === ErrorCode.ValidationFailed) {
        this.versions.markStale();
        return (await this.versions.isCurrent(dataTypes[0])) ? 'unavailable' : 'reindex_needed';
      }
      throw error;
    }
  }

  /** One vector query, timed with its result count; failed queries are not observed (they have no count). */
  private async timedVectorSearch(request: {
    companyId: string;
    type: SearchDataType;
    vector: Float32Array;
    k: number;
    filter?: SearchFilter;
  }): Promise<SearchHit[]> {
    const started = performance.now();
    const hits = await this.vectors.search(request);
    this.metrics.recordVectorSearch({
      companyId: request.companyId,
      // The bare name, without the deployment's prefix: the same label value in both modes.
      collection: collectionNameOf(request.type),
      durationS: (performance.now() - started) / 1000,
      resultCount: hits.length,
    });
    return hits;
  }
}

/**
 * Orders by cosine + keywordWeight × normalized keyword score, both on stated scales (a score missing from a
 * list counts 0); equal values by type and id. The last `keywordLists` lists are the keyword ones.
 */
function scoreFusion(
  lists: RankedList<SearchHit>[],
  options: { keywordWeight: number; limit: number; keywordLists: number },
): Array<{ key: string; item: SearchHit; score: number }> {
  const fused = new Map<string, { key: string; item: SearchHit; score: number }>();
  const firstKeyword = lists.length - options.keywordLists;
  lists.forEach((list, index) => {
    const weight = index >= firstKeyword ? options.keywordWeight : 1;
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = fused.get(key) ?? { key, item, score: 0 };
      entry.score += weight * item.score;
      fused.set(key, entry);
    }
  });
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, options.limit);
}

function keyOf(hit: SearchHit): string {
  return `${hit.type}:${hit.id}`;
}

function byScoreThenId(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Six decimals: the scores' meaningful precision, and stable text in cached and compared responses. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function toResult(
  hit: SearchHit,
  scores: Pick<SearchResult, 'score' | 'score_type' | 'keyword_score' | 'fusion_score'>,
): SearchResult {
  const { payload } = hit;
  return {
    type: hit.type,
    id: hit.id,
    ...scores,
    title: payload.title,
    summary: payload.summary,
    ...(payload.status !== undefined ? { status: payload.status } : {}),
    ...(payload.priority !== undefined ? { priority: payload.priority } : {}),
    tags: payload.tags,
    created_at: payload.created_at,
    updated_at: payload.updated_at,
    ...(payload.resolution !== undefined ? { resolution: payload.resolution } : {}),
  };
}

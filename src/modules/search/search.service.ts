import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { LlmService } from '../llm/llm.service';
import { MetricsService } from '../metrics/metrics.service';
import { reciprocalRankFusion, RankedList } from './domain/rrf';
import { collectionNameOf, SearchDataType, SearchFilter, SearchHit } from './domain/search-document';
import { EmbedderVersions } from './embedder-versions.service';
import { LexicalIndex } from './ports/lexical-index.port';
import { VectorIndex } from './ports/vector-index.port';

export const VECTOR_DEGRADED = 'vector search unavailable, keyword results only';
export const REINDEX_DEGRADED = 'embedding model changed: re-index needed, keyword results only';

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

export interface SearchResult {
  type: SearchDataType;
  id: string;
  score: number;
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
    private readonly versions: EmbedderVersions,
  ) {}

  async search(input: SearchInput): Promise<SearchOutcome> {
    const { companyId, query, dataTypes, limit, filter } = input;
    const k = limit * CANDIDATES_PER_RESULT;
    const useLexical = this.config.search.hybrid;

    const [vectorLists, lexicalLists] = await Promise.all([
      this.vectorLists({ companyId, query, dataTypes, k, filter, embedQuery: input.embedQuery }),
      useLexical
        ? Promise.all(dataTypes.map((type) => this.lexical.search({ companyId, type, query, k, filter })))
        : Promise.resolve([]),
    ]);

    let lists: RankedList<SearchHit>[];
    let degraded: string | undefined;
    if (vectorLists === 'unavailable' || vectorLists === 'reindex_needed') {
      // Keyword search is the fallback even when fusion is switched off.
      const keyword = useLexical
        ? lexicalLists
        : await Promise.all(
            dataTypes.map((type) => this.lexical.search({ companyId, type, query, k, filter })),
          );
      lists = keyword.map((items) => ({ items }));
      degraded = vectorLists === 'reindex_needed' ? REINDEX_DEGRADED : VECTOR_DEGRADED;
    } else {
      const { rrfLexicalWeight } = this.config.search;
      lists = [
        ...vectorLists.map((items) => ({ items })),
        ...lexicalLists.map((items) => ({ items, weight: rrfLexicalWeight })),
      ];
    }

    const fused = reciprocalRankFusion<SearchHit>(lists, {
      keyOf: (hit) => `${hit.type}:${hit.id}`,
      k: this.config.search.rrfK,
      limit,
    });
    const results = fused
      // Defence in depth: the ports are company-partitioned, and nothing else may ever leak out.
      .filter(({ item }) => item.payload.company_id === companyId)
      .map(({ item, score }) => toResult(item, score));
    return degraded ? { results, cached: false, degraded } : { results, cached: false };
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

function toResult(hit: SearchHit, score: number): SearchResult {
  const { payload } = hit;
  return {
    type: hit.type,
    id: hit.id,
    score,
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

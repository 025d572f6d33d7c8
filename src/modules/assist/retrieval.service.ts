import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { LlmService } from '../llm/llm.service';
import type { SearchDataType, SearchFilter } from '../search/domain/search-document';
import { isKeywordOnly, SearchResult, SearchService } from '../search/search.service';
import type { RelevanceFloor } from '../../config/search.config';
import { assistKeys } from './domain/assist-keys';
import { withinDeadline } from '../../common/async/deadline';
import type { RetrievedDoc } from './domain/grounding';

export interface RetrievalRequest {
  companyId: string;
  query: string;
  dataTypes: SearchDataType[];
  limit: number;
  filter?: SearchFilter;
  deadlineMs: number;
  noCache?: boolean;
  /** The query's embedding, shared with the semantic layer (computed only when the search runs). */
  embedQuery?: () => Promise<Float32Array>;
  /** For grounding an answer or draft: only results at or above the relevance floor are kept. */
  grounding?: boolean;
}

export interface Retrieval {
  docs: RetrievedDoc[];
  /** The search missed its deadline or failed: fewer (or no) sources. */
  partial: boolean;
  /** Keyword-only results (vector search unavailable). */
  degraded?: string;
}

/**
 * Search for Assist, through the vector cache layer and under a deadline. A search that misses the deadline
 * keeps running and fills the cache, so the next identical retrieval is a hit.
 */
@Injectable()
export class RetrievalService {
  constructor(
    private readonly search: SearchService,
    private readonly cache: LayeredCache,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
  ) {}

  async retrieve(request: RetrievalRequest): Promise<Retrieval> {
    const { companyId, query, dataTypes, limit, filter } = request;
    const floor = request.grounding ? this.config.search.relevanceFloor : undefined;
    const key = assistKeys.retrieval({
      companyId,
      query,
      dataTypes,
      limit,
      // The floor is part of what was retrieved: another floor never reads these results.
      filter: floor ? { ...filter, relevance_floor: floor } : filter,
      embedVersion: this.llm.promptVersion('embed'),
    });
    const work = this.cache.getOrCompute({
      key,
      mode: request.noCache ? 'no-cache' : 'default',
      compute: async () => {
        const outcome = await this.search.search({
          companyId,
          query,
          dataTypes,
          limit,
          filter,
          embedQuery: request.embedQuery,
        });
        const { keywordWeight } = this.config.search;
        const keywordOnly = isKeywordOnly(outcome.degraded);
        const kept = floor
          ? outcome.results.filter((r) => passesFloor(r, { floor, keywordWeight, keywordOnly }))
          : outcome.results;
        const docs = kept.map((r): RetrievedDoc => ({
          type: r.type,
          id: r.id,
          title: r.title,
          summary: r.summary,
          score: r.score,
          ...(r.status !== undefined ? { status: r.status } : {}),
          ...(r.resolution !== undefined ? { resolution: r.resolution } : {}),
        }));
        return { docs, degraded: outcome.degraded };
      },
      // Keyword-only results are a degraded answer: serve them, but let the next call try vectors again.
      shouldStore: (value) => value.degraded === undefined,
    });
    const timed = await withinDeadline(work, request.deadlineMs);
    if (!timed.ok) return { docs: [], partial: true };
    const { docs, degraded } = timed.value.value;
    return degraded ? { docs, partial: false, degraded } : { docs, partial: false };
  }

  /** Default deadline of a retrieval inside a larger budget. */
  deadlineWithin(remainingMs: number): number {
    return Math.min(this.config.assist.retrievalDeadlineMs, remainingMs);
  }
}

/**
 * A result may ground an answer when its grounding relevance reaches the floor of its type: its cosine plus
 * keywordWeight × its keyword score (a score it lacks counts 0), the same evidence hybrid search ranks by.
 * While vector search is unavailable only keyword scores exist, and they meet the keyword floor instead.
 */
export function passesFloor(
  result: Pick<SearchResult, 'type' | 'score' | 'score_type' | 'keyword_score'>,
  options: { floor: RelevanceFloor; keywordWeight: number; keywordOnly: boolean },
): boolean {
  const { floor, keywordWeight, keywordOnly } = options;
  const keyword = result.score_type === 'keyword' ? result.score : (result.keyword_score ?? 0);
  if (keywordOnly) return keyword >= floor.keyword;
  const cosine = result.score_type === 'cosine' ? result.score : 0;
  return cosine + keywordWeight * keyword >= floor[result.type];
}

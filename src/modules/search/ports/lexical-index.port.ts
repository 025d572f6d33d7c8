import { SearchDataType, SearchFilter, SearchHit, SearchPayload } from '../domain/search-document';

export interface LexicalDocument {
  /** The ticket_id or article_id. */
  id: string;
  /** Everything searchable: subject/title, summary, body, tags. */
  text: string;
  payload: SearchPayload;
}

export interface UpsertLexicalRequest {
  companyId: string;
  type: SearchDataType;
  documents: LexicalDocument[];
}

export interface DeleteLexicalRequest {
  companyId: string;
  type: SearchDataType;
  ids: string[];
}

export interface LexicalSearchRequest {
  companyId: string;
  type: SearchDataType;
  query: string;
  k: number;
  filter?: SearchFilter;
}

/**
 * Port: keyword (BM25-style) search over the same documents as the vector index, partitioned by company.
 * Scores are only comparable within one result list; fuse lists by rank (see domain/rrf.ts).
 */
export abstract class LexicalIndex {
  abstract upsert(request: UpsertLexicalRequest): Promise<void>;
  abstract delete(request: DeleteLexicalRequest): Promise<void>;
  abstract search(request: LexicalSearchRequest): Promise<SearchHit[]>;
}

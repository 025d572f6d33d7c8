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

export interface LexicalPartitionRequest {
  companyId: string;
  type: SearchDataType;
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
  /**
   * Removes the company's whole partition of this type (documents and keyword statistics), in bounded batches;
   * returns how many documents it held. Company erasure: idempotent.
   */
  abstract deleteCompany(request: LexicalPartitionRequest): Promise<number>;
  /** Documents plus statistics entries the company still has in this type's partition (0 after deleteCompany). */
  abstract countCompany(request: LexicalPartitionRequest): Promise<number>;
}

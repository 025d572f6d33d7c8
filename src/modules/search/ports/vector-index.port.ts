import { SearchDataType, SearchFilter, SearchHit, SearchPayload } from '../domain/search-document';

export interface VectorPoint {
  /** The ticket_id or article_id; the adapter derives its own storage id from (company, type, id). */
  id: string;
  /** L2-normalized or not: cosine similarity is used either way. */
  vector: Float32Array | number[];
  payload: SearchPayload;
}

export interface EnsureCollectionRequest {
  companyId: string;
  type: SearchDataType;
  /** The embedder's dimension; a collection that exists with another dimension is an error. */
  dimension: number;
  signal?: AbortSignal;
}

export interface UpsertVectorsRequest {
  companyId: string;
  type: SearchDataType;
  points: VectorPoint[];
  signal?: AbortSignal;
}

export interface DeleteVectorsRequest {
  companyId: string;
  type: SearchDataType;
  ids: string[];
  signal?: AbortSignal;
}

export interface VectorSearchRequest {
  companyId: string;
  type: SearchDataType;
  vector: Float32Array | number[];
  /** Number of hits wanted, 1-1000. */
  k: number;
  filter?: SearchFilter;
  signal?: AbortSignal;
}

export interface CountVectorsRequest {
  companyId: string;
  type: SearchDataType;
  filter?: SearchFilter;
  signal?: AbortSignal;
}

/**
 * Port: a cosine-similarity index partitioned by company. Every method is scoped to one company;
 * no call can read or change another company's points. Errors are AppErrors: `validation_failed`
 * (e.g. a dimension mismatch), `dependency_unavailable` (the store is unreachable or too slow).
 */
export abstract class VectorIndex {
  /** Creates the type's collection on demand with this dimension and cosine distance. Idempotent. */
  abstract ensureCollection(request: EnsureCollectionRequest): Promise<void>;
  /** Inserts or replaces points by id; the company in each payload must match `companyId`. */
  abstract upsert(request: UpsertVectorsRequest): Promise<void>;
  /** Removes points by id; unknown ids are ignored. */
  abstract delete(request: DeleteVectorsRequest): Promise<void>;
  /** The k most similar points, best first. An empty or not yet created collection gives []. */
  abstract search(request: VectorSearchRequest): Promise<SearchHit[]>;
  abstract count(request: CountVectorsRequest): Promise<number>;
}

import { SearchDataType, SearchFilter, SearchHit, SearchPayload } from '../domain/search-document';

export interface VectorPoint {
  /** The ticket_id or article_id; the adapter derives its own storage id from (company, type, id). */
  id: string;
  /** L2-normalized or not: cosine similarity is used either way. */
  vector: Float32Array | number[];
  payload: SearchPayload;
}

/** The embedding model a collection's vectors come from: vectors of two models never share a collection. */
export interface EmbedderVersion {
  model: string;
  dimension: number;
}

export interface EnsureCollectionRequest {
  companyId: string;
  type: SearchDataType;
  /** The embedder's dimension; a collection that exists with another dimension is an error. */
  dimension: number;
  /** The embedder's model, recorded with a collection this call creates. */
  model?: string;
  signal?: AbortSignal;
}

/** The collection a type's reads and writes go to, and the embedder it records. */
export interface ActiveCollection {
  name: string;
  /** `model` is absent for a collection created before embedders were recorded (only its size is known). */
  embedder: { model?: string; dimension: number };
}

export interface UpsertVectorsRequest {
  companyId: string;
  type: SearchDataType;
  points: VectorPoint[];
  /** A collection being rebuilt (from `createCollection`) instead of the active one. */
  collection?: string;
  signal?: AbortSignal;
}

export interface DeleteVectorsRequest {
  companyId: string;
  type: SearchDataType;
  ids: string[];
  signal?: AbortSignal;
}

export interface DeleteCompanyVectorsRequest {
  companyId: string;
  type: SearchDataType;
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
  /**
   * Removes every point of the company and type, in every collection (a re-index's new one too); returns how
   * many there were. Company erasure: idempotent, a second call finds nothing and returns 0.
   */
  abstract deleteCompany(request: DeleteCompanyVectorsRequest): Promise<number>;
  /** The k most similar points, best first. An empty or not yet created collection gives []. */
  abstract search(request: VectorSearchRequest): Promise<SearchHit[]>;
  abstract count(request: CountVectorsRequest): Promise<number>;

  /** The type's active collection as stored now (not a cached view), or undefined before the first one. */
  abstract activeCollection(type: SearchDataType, signal?: AbortSignal): Promise<ActiveCollection | undefined>;
  /** A new, empty collection for a re-index with this embedder; reads keep going to the active one. */
  abstract createCollection(type: SearchDataType, embedder: EmbedderVersion): Promise<string>;
  /** Makes a collection from `createCollection` the type's active one for every reader, then drops the old one. */
  abstract activate(type: SearchDataType, collection: string): Promise<void>;
  /** Drops a collection from `createCollection` that will not be activated (a failed re-index). */
  abstract dropCollection(type: SearchDataType, collection: string): Promise<void>;
}

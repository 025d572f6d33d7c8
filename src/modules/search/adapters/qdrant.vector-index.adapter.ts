import { Injectable, Logger } from '@nestjs/common';
import { QdrantClient, Schemas } from '@qdrant/js-client-rest';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/config';
import { pointIdOf } from '../domain/point-id';
import {
  collectionNameOf,
  hasFilter,
  SearchDataType,
  SearchHit,
  SearchPayload,
} from '../domain/search-document';
import {
  ActiveCollection,
  CountVectorsRequest,
  DeleteCompanyVectorsRequest,
  DeleteVectorsRequest,
  EmbedderVersion,
  EnsureCollectionRequest,
  UpsertVectorsRequest,
  VectorIndex,
  VectorSearchRequest,
} from '../ports/vector-index.port';
import { qdrantCall, statusOf } from './qdrant/qdrant-call';
import { PAYLOAD_INDEXES, tenantFilter } from './qdrant/qdrant-filter';
import { validateK, validatePoints, validateVector } from './vector-request.validation';

/**
 * Qdrant adapter: one collection per data type shared by all companies (Qdrant's recommended multitenancy
 * layout), `company_id` indexed as the tenant key, and a company must-filter on every read and delete.
 * Each collection records its embedder in Qdrant's collection metadata. A re-index fills a new collection
 * (`tickets__<id>`) and then points the alias `tickets` at it in one alias operation, which every instance
 * sees at once; the old collection is then deleted. (The first collection is created under the plain name;
 * its first re-index replaces it by the alias.)
 * Point ids are UUIDs derived from (company, type, id), so re-indexing overwrites instead of duplicating.
 * Every call has a deadline: the client's own timeout aborts the HTTP request, and an AbortSignal
 * (the caller's, combined with the deadline) ends the wait for it.
 */
@Injectable()
export class QdrantVectorIndex extends VectorIndex {
  private readonly logger = new Logger(QdrantVectorIndex.name);
  private readonly client: QdrantClient;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly prefix: string;
  /** Dimensions of collections known to exist, so ensureCollection costs one round trip per process. */
  private readonly dimensions = new Map<SearchDataType, number>();

  constructor(config: AppConfig) {
    super();
    const { qdrantUrl, qdrantApiKey, qdrantTimeoutMs, qdrantUpsertBatchSize, qdrantCollectionPrefix } =
      config.search;
    if (!qdrantUrl) throw new AppError('internal', 'QdrantVectorIndex needs QDRANT_URL');
    this.timeoutMs = qdrantTimeoutMs;
    this.batchSize = qdrantUpsertBatchSize;
    this.prefix = qdrantCollectionPrefix;
    this.client = new QdrantClient({
      url: qdrantUrl,
      apiKey: qdrantApiKey,
      timeout: qdrantTimeoutMs,
      checkCompatibility: false,
    });
  }

  collectionOf(type: SearchDataType): string {
    return `${this.prefix}${collectionNameOf(type)}`;
  }

  async ensureCollection({ type, dimension, model, signal }: EnsureCollectionRequest): Promise<void> {
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw AppError.invalid(`dimension must be a positive integer, got ${dimension}`);
    }
    const known = this.dimensions.get(type);
    if (known !== undefined) {
      if (known !== dimension) throw dimensionConflict(this.collectionOf(type), known, dimension);
      return;
    }
    // Resolved through the alias: after a re-index the plain name is an alias, not a collection.
    const active = await this.resolveActive(type, signal);
    const name = active?.name ?? this.collectionOf(type);
    if (!active) {
      try {
        await this.createPhysical(name, { dimension, model }, signal);
      } catch (error) {
        // Another instance created it in between: fall through and check its dimension.
        if (!(error instanceof AppError && error.details.cause && statusOf(error.details.cause) === 409))
          throw error;
      }
    }
    const info =
      active?.info ?? (await this.call('getCollection', signal, () => this.client.getCollection(name)));
    const existing = vectorSizeOf(info);
    if (existing !== undefined && existing !== dimension) throw dimensionConflict(name, existing, dimension);
    const indexed = info.payload_schema ?? {};
    for (const { field, schema } of PAYLOAD_INDEXES) {
      if (indexed[field]) continue;
      await this.call('createPayloadIndex', signal, () =>
        this.client.createPayloadIndex(name, { field_name: field, field_schema: schema, wait: true }),
      );
    }
    this.dimensions.set(type, dimension);
  }

  async activeCollection(type: SearchDataType, signal?: AbortSignal): Promise<ActiveCollection | undefined> {
    const active = await this.resolveActive(type, signal);
    if (!active) return undefined;
    const { name: target, info } = active;
    const size = vectorSizeOf(info);
    if (size === undefined) return undefined;
    // Fresh from Qdrant: another instance may have switched the alias since this one cached the size.
    this.dimensions.set(type, size);
    const model = (info.config as { metadata?: Record<string, unknown> | null }).metadata?.embedder_model;
    return { name: target, embedder: { dimension: size, ...(typeof model === 'string' ? { model } : {}) } };
  }

  async createCollection(type: SearchDataType, embedder: EmbedderVersion): Promise<string> {
    const name = `${this.collectionOf(type)}__${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    await this.createPhysical(name, embedder);
    for (const { field, schema } of PAYLOAD_INDEXES) {
      await this.call('createPayloadIndex', undefined, () =>
        this.client.createPayloadIndex(name, { field_name: field, field_schema: schema, wait: true }),
      );
    }
    return name;
  }

  async activate(type: SearchDataType, collection: string): Promise<void> {
    const alias = this.collectionOf(type);
    const previous = await this.activeCollection(type);
    if (previous?.name === collection) return;
    if (previous?.name === alias) {
      // The first collection carries the plain name, which an alias cannot share: it goes first (searches in
      // this short window find no collection and answer [] for vectors; keywords still answer).
      await this.call('deleteCollection', undefined, () => this.client.deleteCollection(alias));
    }
    const actions =
      previous && previous.name !== alias
        ? [
            { delete_alias: { alias_name: alias } },
            { create_alias: { alias_name: alias, collection_name: collection } },
          ]
        : [{ create_alias: { alias_name: alias, collection_name: collection } }];
    await this.call('updateCollectionAliases', undefined, () =>
      this.client.updateCollectionAliases({ actions }),
    );
    this.dimensions.delete(type);
    if (previous && previous.name !== alias) await this.dropCollection(type, previous.name);
  }

  async dropCollection(_type: SearchDataType, collection: string): Promise<void> {
    try {
      await this.call('deleteCollection', undefined, () => this.client.deleteCollection(collection));
    } catch (error) {
      if (!isMissingCollection(error)) throw error;
    }
  }

  /** The collection behind the type's alias (or its plain name), with its info; undefined if there is none. */
  private async resolveActive(
    type: SearchDataType,
    signal?: AbortSignal,
  ): Promise<{ name: string; info: Schemas['CollectionInfo'] } | undefined> {
    const alias = this.collectionOf(type);
    const { aliases } = await this.call('getAliases', signal, () => this.client.getAliases());
    const name = aliases.find((a) => a.alias_name === alias)?.collection_name ?? alias;
    try {
      return { name, info: await this.call('getCollection', signal, () => this.client.getCollection(name)) };
    } catch (error) {
      if (isMissingCollection(error)) return undefined;
      throw error;
    }
  }

  private async createPhysical(
    name: string,
    embedder: { dimension: number; model?: string },
    signal?: AbortSignal,
  ): Promise<void> {
    // Through the generated API: the client's createCollection (1.18.0) drops `metadata`.
    await this.call('createCollection', signal, () =>
      this.client.api().createCollection({
        collection_name: name,
        vectors: { size: embedder.dimension, distance: 'Cosine' },
        // Per-tenant graphs only: every query is filtered by company_id (Qdrant's multitenancy guide).
        hnsw_config: { payload_m: 16, m: 0 },
        metadata: {
          embedder_dimension: embedder.dimension,
          ...(embedder.model ? { embedder_model: embedder.model } : {}),
        },
      }),
    );
  }

  async upsert({ companyId, type, points, collection, signal }: UpsertVectorsRequest): Promise<void> {
    if (points.length === 0) return;
    const dimension = collection
      ? vectorSizeOf(await this.call('getCollection', signal, () => this.client.getCollection(collection)))
      : await this.dimensionOf(type, signal);
    if (dimension === undefined) {
      throw AppError.invalid(
        `collection '${collection ?? this.collectionOf(type)}' does not exist yet: call ensureCollection with the embedder's dimension first`,
      );
    }
    const name = collection ?? this.collectionOf(type);
    validatePoints({ companyId, type, points, dimension, collection: name });
    for (let start = 0; start < points.length; start += this.batchSize) {
      const batch = points.slice(start, start + this.batchSize).map((point) => ({
        id: pointIdOf(companyId, type, point.id),
        vector: Array.from(point.vector),
        payload: toQdrantPayload(point.payload),
      }));
      await this.call('upsert', signal, () => this.client.upsert(name, { points: batch, wait: true }));
    }
  }

  async delete({ companyId, type, ids, signal }: DeleteVectorsRequest): Promise<void> {
    if (ids.length === 0) return;
    const name = this.collectionOf(type);
    const filter = tenantFilter(companyId, type);
    filter.must = [...asArray(filter.must), { has_id: ids.map((id) => pointIdOf(companyId, type, id)) }];
    try {
      await this.call('delete', signal, () => this.client.delete(name, { filter, wait: true }));
    } catch (error) {
      if (!isMissingCollection(error)) throw error;
    }
  }

  /**
   * The company's points of this type, counted then deleted by its tenant filter (one server-side operation,
   * under the call deadline: a very large tenant that outlasts it is finished by the retried erasure).
   */
  async deleteCompany({ companyId, type, signal }: DeleteCompanyVectorsRequest): Promise<number> {
    const name = this.collectionOf(type);
    const filter = tenantFilter(companyId, type);
    try {
      const { count } = await this.call('count', signal, () =>
        this.client.count(name, { filter, exact: true }),
      );
      if (count === 0) return 0;
      await this.call('delete', signal, () => this.client.delete(name, { filter, wait: true }));
      return count;
    } catch (error) {
      if (isMissingCollection(error)) return 0;
      throw error;
    }
  }

  async search({ companyId, type, vector, k, filter, signal }: VectorSearchRequest): Promise<SearchHit[]> {
    validateK(k);
    const dimension = await this.dimensionOf(type, signal);
    if (dimension === undefined) return [];
    validateVector(vector, dimension, this.collectionOf(type));
    const name = this.collectionOf(type);
    const response = await this.call('query', signal, () =>
      this.client.query(name, {
        query: Array.from(vector),
        filter: tenantFilter(companyId, type, hasFilter(filter) ? filter : undefined),
        limit: k,
        with_payload: true,
      }),
    );
    return response.points.flatMap((point) => {
      const payload = point.payload as unknown as SearchPayload | null | undefined;
      // Defence in depth: the filter already scopes by company; never hand out another company's point.
      if (!payload || payload.company_id !== companyId) return [];
      return [{ id: payload.id, type, score: point.score, payload: fromQdrantPayload(payload) }];
    });
  }

  async count({ companyId, type, filter, signal }: CountVectorsRequest): Promise<number> {
    const name = this.collectionOf(type);
    try {
      const { count } = await this.call('count', signal, () =>
        this.client.count(name, {
          filter: tenantFilter(companyId, type, hasFilter(filter) ? filter : undefined),
          exact: true,
        }),
      );
      return count;
    } catch (error) {
      if (isMissingCollection(error)) return 0;
      throw error;
    }
  }

  /** The collection's dimension, read once from Qdrant when this process did not ensure it; undefined if absent. */
  private async dimensionOf(type: SearchDataType, signal?: AbortSignal): Promise<number | undefined> {
    const known = this.dimensions.get(type);
    if (known !== undefined) return known;
    const name = this.collectionOf(type);
    try {
      const info = await this.call('getCollection', signal, () => this.client.getCollection(name));
      const size = vectorSizeOf(info);
      if (size !== undefined) this.dimensions.set(type, size);
      return size;
    } catch (error) {
      if (isMissingCollection(error)) return undefined;
      throw error;
    }
  }

  private call<T>(operation: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    return qdrantCall({ operation, signal, timeoutMs: this.timeoutMs, logger: this.logger, run });
  }
}

function asArray<T>(value: T | T[] | null | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isMissingCollection(error: unknown): boolean {
  return error instanceof AppError && statusOf(error.details.cause) === 404;
}

function vectorSizeOf(info: Schemas['CollectionInfo']): number | undefined {
  const vectors = info.config.params.vectors as { size?: number } | undefined;
  return typeof vectors?.size === 'number' ? vectors.size : undefined;
}

function dimensionConflict(collection: string, existing: number, requested: number): AppError {
  return AppError.invalid(
    `collection '${collection}' has vector dimension ${existing}, not ${requested}: ` +
      're-create the index after changing the embedding model',
  );
}

/** Qdrant payload values are JSON: drop undefined optionals so they are absent, not null. */
function toQdrantPayload(payload: SearchPayload): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
}

function fromQdrantPayload(payload: SearchPayload): SearchPayload {
  return { ...payload, tags: Array.isArray(payload.tags) ? payload.tags : [] };
}

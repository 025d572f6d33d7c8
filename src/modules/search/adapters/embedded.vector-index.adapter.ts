import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/config';
import {
  collectionNameOf,
  hasFilter,
  SEARCH_DATA_TYPES,
  SearchDataType,
  SearchHit,
} from '../domain/search-document';
import { normalized } from '../domain/vector-math';
import {
  CountVectorsRequest,
  DeleteVectorsRequest,
  EnsureCollectionRequest,
  UpsertVectorsRequest,
  VectorIndex,
  VectorSearchRequest,
} from '../ports/vector-index.port';
import { PartitionEntry, PartitionPoint, VectorPartition } from './embedded/vector-partition';
import { assertSafeCompanyId } from './embedded/search-paths';
import { validateK, validatePoints, validateVector } from './vector-request.validation';
import { commitTemporary, readIfExists, temporaryPathFor, writeFileAtomic } from './persistence/atomic-file';
import { FlushScheduler } from './persistence/flush-scheduler';

interface CollectionMeta {
  version: 1;
  dimension: number;
}

interface PartitionManifest {
  version: 1;
  dimension: number;
  generation: number;
  labelCount: number;
  hasGraph: boolean;
  entries: PartitionEntry[];
}

interface PartitionState {
  partition: VectorPartition;
  generation: number;
  /** Serializes mutations, graph builds and saves of this partition. */
  lock: Promise<unknown>;
}

const MANIFEST_SUFFIX = '.json';
const COLLECTION_META = 'collection.meta.json';

/**
 * In-process vector index for embedded mode: one partition per (type, company) under
 * `<DATA_DIR>/vectors/<collection>/<company>.*`, exact search for small partitions and HNSW above
 * `exactSearchMax`. Changes are saved in batches (crash-safe: temp file + rename, a manifest that names
 * the generation of the data files is written last) and flushed on shutdown.
 */
@Injectable()
export class EmbeddedVectorIndex extends VectorIndex implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EmbeddedVectorIndex.name);
  private readonly root: string;
  private readonly dimensions = new Map<SearchDataType, number>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly flusher: FlushScheduler;
  private loaded: Promise<void> | undefined;

  constructor(private readonly config: AppConfig) {
    super();
    this.root = path.resolve(config.app.dataDir, 'vectors');
    this.flusher = new FlushScheduler(
      config.search.persistDebounceMs,
      (key) => this.savePartition(key),
      (key, error) => this.logger.error(`saving vector partition ${key} failed: ${String(error)}`),
    );
  }

  onModuleInit(): Promise<void> {
    this.loaded ??= this.loadAll();
    return this.loaded;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  /** Persists every pending change now (shutdown, tests, benchmarks). */
  async flush(): Promise<void> {
    await this.flusher.flushAll();
  }

  async ensureCollection({ companyId, type, dimension }: EnsureCollectionRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw AppError.invalid(`dimension must be a positive integer, got ${dimension}`);
    }
    const existing = this.dimensions.get(type);
    if (existing !== undefined) {
      if (existing !== dimension) throw dimensionConflict(type, existing, dimension);
      return;
    }
    const meta: CollectionMeta = { version: 1, dimension };
    await writeFileAtomic(
      path.join(this.root, collectionNameOf(type), COLLECTION_META),
      JSON.stringify(meta),
    );
    this.dimensions.set(type, dimension);
  }

  async upsert({ companyId, type, points }: UpsertVectorsRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    if (points.length === 0) return;
    const dimension = this.requireDimension(type);
    validatePoints({ companyId, type, points, dimension, collection: collectionNameOf(type) });
    const prepared: PartitionPoint[] = points.map((point) => ({
      id: point.id,
      vector: normalized(point.vector),
      payload: { ...point.payload, tags: [...point.payload.tags] },
    }));
    const state = this.partitionFor(type, companyId, dimension);
    await this.withLock(state, async () => {
      await state.partition.upsertSliced(prepared);
      if (state.partition.needsGraph) await state.partition.buildGraph();
    });
    this.flusher.markDirty(keyOf(type, companyId));
  }

  async delete({ companyId, type, ids }: DeleteVectorsRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const state = this.partitions.get(keyOf(type, companyId));
    if (!state || ids.length === 0) return;
    const removed = await this.withLock(state, async () => state.partition.delete(ids));
    if (removed > 0) this.flusher.markDirty(keyOf(type, companyId));
  }

  async search({ companyId, type, vector, k, filter }: VectorSearchRequest): Promise<SearchHit[]> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    validateK(k);
    const dimension = this.dimensions.get(type);
    if (dimension === undefined) return [];
    validateVector(vector, dimension, collectionNameOf(type));
    const state = this.partitions.get(keyOf(type, companyId));
    if (!state) return [];
    const hits = state.partition.search(normalized(vector), k, hasFilter(filter) ? filter : undefined);
    return hits.map(({ id, score, payload }) => ({ id, type, score, payload }));
  }

  async count({ companyId, type, filter }: CountVectorsRequest): Promise<number> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const state = this.partitions.get(keyOf(type, companyId));
    return state ? state.partition.count(hasFilter(filter) ? filter : undefined) : 0;
  }

  private requireDimension(type: SearchDataType): number {
    const dimension = this.dimensions.get(type);
    if (dimension === undefined) {
      throw AppError.invalid(
        `collection '${collectionNameOf(type)}' does not exist yet: call ensureCollection with the embedder's dimension first`,
      );
    }
    return dimension;
  }

  private partitionFor(type: SearchDataType, companyId: string, dimension: number): PartitionState {
    const key = keyOf(type, companyId);
    let state = this.partitions.get(key);
    if (!state) {
      state = { partition: this.newPartition(dimension), generation: 0, lock: Promise.resolve() };
      this.partitions.set(key, state);
    }
    return state;
  }

  private newPartition(dimension: number): VectorPartition {
    const { hnsw, exactSearchMax } = this.config.search;
    return new VectorPartition({ dimension, hnsw, exactSearchMax });
  }

  private withLock<T>(state: PartitionState, work: () => Promise<T>): Promise<T> {
    const run = state.lock.then(work, work);
    state.lock = run.catch(() => undefined);
    return run;
  }

  private async savePartition(key: string): Promise<void> {
    const state = this.partitions.get(key);
    if (!state) return;
    const { type, companyId } = parseKey(key);
    const directory = path.join(this.root, collectionNameOf(type));
    await this.withLock(state, async () => {
      const generation = state.generation + 1;
      const partition = state.partition;
      await writeFileAtomic(path.join(directory, `${companyId}.${generation}.f32`), partition.vectorBytes());
      if (partition.hasGraph) {
        const target = path.join(directory, `${companyId}.${generation}.hnsw`);
        const temporary = temporaryPathFor(target);
        await partition.writeGraph(temporary);
        await fsyncFile(temporary);
        await commitTemporary(temporary, target);
      }
      const manifest: PartitionManifest = {
        version: 1,
        dimension: partition.dimension,
        generation,
        labelCount: partition.labelCount,
        hasGraph: partition.hasGraph,
        entries: partition.entries(),
      };
      // The manifest is the commit point: until it is renamed into place the previous generation stays valid.
      await writeFileAtomic(path.join(directory, `${companyId}${MANIFEST_SUFFIX}`), JSON.stringify(manifest));
      state.generation = generation;
      await removeOtherGenerations(directory, companyId, generation);
    });
  }

  private async loadAll(): Promise<void> {
    for (const type of SEARCH_DATA_TYPES) {
      const directory = path.join(this.root, collectionNameOf(type));
      const metaBytes = await readIfExists(path.join(directory, COLLECTION_META));
      if (!metaBytes) continue;
      const meta = JSON.parse(metaBytes.toString('utf8')) as CollectionMeta;
      this.dimensions.set(type, meta.dimension);
      for (const file of await fs.readdir(directory)) {
        if (file === COLLECTION_META || !file.endsWith(MANIFEST_SUFFIX)) continue;
        const companyId = file.slice(0, -MANIFEST_SUFFIX.length);
        try {
          await this.loadPartition(type, companyId, directory, meta.dimension);
        } catch (error) {
          // One unreadable partition must not stop the service: it is reported and re-indexing rebuilds it.
          this.logger.error(`vector partition ${type}/${companyId} could not be loaded: ${String(error)}`);
        }
      }
    }
  }

  private async loadPartition(type: SearchDataType, companyId: string, directory: string, dimension: number) {
    const manifest = JSON.parse(
      (await fs.readFile(path.join(directory, `${companyId}${MANIFEST_SUFFIX}`))).toString('utf8'),
    ) as PartitionManifest;
    if (manifest.dimension !== dimension) {
      throw new Error(`partition dimension ${manifest.dimension} differs from the collection's ${dimension}`);
    }
    const partition = this.newPartition(dimension);
    const bytes = await fs.readFile(path.join(directory, `${companyId}.${manifest.generation}.f32`));
    partition.restore(manifest.entries, manifest.labelCount, bytes);
    const graphFile = path.join(directory, `${companyId}.${manifest.generation}.hnsw`);
    const graphRead = manifest.hasGraph && (await partition.readGraph(graphFile));
    if (!graphRead && partition.needsGraph) await partition.buildGraph();
    this.partitions.set(keyOf(type, companyId), {
      partition,
      generation: manifest.generation,
      lock: Promise.resolve(),
    });
  }
}

function keyOf(type: SearchDataType, companyId: string): string {
  return `${type}/${companyId}`;
}

function parseKey(key: string): { type: SearchDataType; companyId: string } {
  const [type, companyId] = key.split('/') as [SearchDataType, string];
  return { type, companyId };
}

function dimensionConflict(type: SearchDataType, existing: number, requested: number): AppError {
  return AppError.invalid(
    `collection '${collectionNameOf(type)}' has vector dimension ${existing}, not ${requested}: ` +
      're-create the index after changing the embedding model',
  );
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Deletes data files of older generations and temp files left by a crash. */
async function removeOtherGenerations(directory: string, companyId: string, keep: number): Promise<void> {
  const data = new RegExp(`^${companyId}\\.(\\d+)\\.(f32|hnsw)(\\..+\\.tmp)?$`);
  const manifestTemp = new RegExp(`^${companyId}\\.json\\..+\\.tmp$`);
  for (const file of await fs.readdir(directory)) {
    const match = data.exec(file);
    const stale = match ? Number(match[1]) !== keep || match[3] !== undefined : manifestTemp.test(file);
    if (stale) await fs.rm(path.join(directory, file), { force: true });
  }
}

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
  ActiveCollection,
  DeleteCompanyVectorsRequest,
  CountVectorsRequest,
  DeleteVectorsRequest,
  EmbedderVersion,
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
  /** The embedding model; absent in collections written before it was recorded. */
  model?: string;
}

/** Which folder under vectors/ each type reads and writes (absent: the type's plain name, e.g. `tickets`). */
type ActiveFolders = Partial<Record<SearchDataType, string>>;

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
const ACTIVE_FILE = 'active.json';

/**
 * In-process vector index for embedded mode: one partition per (collection, company) under
 * `<DATA_DIR>/vectors/<collection>/<company>.*`, exact search for small partitions and HNSW above
 * `exactSearchMax`. Changes are saved in batches (crash-safe: temp file + rename, a manifest that names
 * the generation of the data files is written last) and flushed on shutdown. A re-index builds a new folder
 * (`tickets@<id>`); `active.json`, written last, is the switch, after which the old folder is removed.
 */
@Injectable()
export class EmbeddedVectorIndex extends VectorIndex implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EmbeddedVectorIndex.name);
  private readonly root: string;
  /** Folder each type reads and writes. */
  private readonly active = new Map<SearchDataType, string>();
  /** Metadata of every folder loaded or created (active ones and those being rebuilt). */
  private readonly collections = new Map<string, CollectionMeta>();
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

  async ensureCollection({ companyId, type, dimension, model }: EnsureCollectionRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw AppError.invalid(`dimension must be a positive integer, got ${dimension}`);
    }
    const folder = this.folderOf(type);
    const existing = this.collections.get(folder)?.dimension;
    if (existing !== undefined) {
      if (existing !== dimension) throw dimensionConflict(type, existing, dimension);
      return;
    }
    await this.writeMeta(folder, { version: 1, dimension, ...(model ? { model } : {}) });
  }

  async activeCollection(type: SearchDataType): Promise<ActiveCollection | undefined> {
    await this.onModuleInit();
    const folder = this.folderOf(type);
    const meta = this.collections.get(folder);
    return meta ? { name: folder, embedder: { model: meta.model, dimension: meta.dimension } } : undefined;
  }

  async createCollection(type: SearchDataType, embedder: EmbedderVersion): Promise<string> {
    await this.onModuleInit();
    const folder = `${collectionNameOf(type)}@${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    await this.writeMeta(folder, { version: 1, dimension: embedder.dimension, model: embedder.model });
    return folder;
  }

  async activate(type: SearchDataType, collection: string): Promise<void> {
    await this.onModuleInit();
    if (!this.collections.has(collection))
      throw new AppError('internal', `unknown vector collection ${collection}`);
    const previous = this.folderOf(type);
    if (previous === collection) return;
    // The new folder's partitions are on disk before the switch that makes them the ones loaded at start.
    await this.flush();
    const folders: ActiveFolders = Object.fromEntries(this.active);
    folders[type] = collection;
    await writeFileAtomic(path.join(this.root, ACTIVE_FILE), JSON.stringify(folders));
    this.active.set(type, collection);
    await this.dropCollection(type, previous);
  }

  async dropCollection(_type: SearchDataType, collection: string): Promise<void> {
    await this.onModuleInit();
    for (const key of [...this.partitions.keys()]) {
      if (parseKey(key).folder !== collection) continue;
      const state = this.partitions.get(key)!;
      // Waits for a save of this partition in progress, then forgets it (a later save finds nothing).
      await this.withLock(state, async () => this.partitions.delete(key));
    }
    this.collections.delete(collection);
    await fs.rm(path.join(this.root, collection), { recursive: true, force: true });
  }

  async upsert({ companyId, type, points, collection }: UpsertVectorsRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    if (points.length === 0) return;
    const folder = collection ?? this.folderOf(type);
    const dimension = this.requireDimension(type, folder);
    validatePoints({ companyId, type, points, dimension, collection: folder });
    const prepared: PartitionPoint[] = points.map((point) => ({
      id: point.id,
      vector: normalized(point.vector),
      payload: { ...point.payload, tags: [...point.payload.tags] },
    }));
    const state = this.partitionFor(folder, companyId, dimension);
    await this.withLock(state, async () => {
      await state.partition.upsertSliced(prepared);
      if (state.partition.needsGraph) await state.partition.buildGraph();
    });
    this.flusher.markDirty(keyOf(folder, companyId));
  }

  async delete({ companyId, type, ids }: DeleteVectorsRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const key = keyOf(this.folderOf(type), companyId);
    const state = this.partitions.get(key);
    if (!state || ids.length === 0) return;
    const removed = await this.withLock(state, async () => state.partition.delete(ids));
    if (removed > 0) this.flusher.markDirty(key);
  }

  /** Every collection folder of the type holding the company's partition: forgotten, then its files removed. */
  async deleteCompany({ companyId, type }: DeleteCompanyVectorsRequest): Promise<number> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const folders = new Set([
      this.folderOf(type),
      ...[...this.partitions.keys()].map((k) => parseKey(k).folder),
    ]);
    let removed = 0;
    for (const folder of folders) {
      if (!isFolderOf(folder, type)) continue;
      const key = keyOf(folder, companyId);
      const state = this.partitions.get(key);
      if (state) {
        // Waits for a save in progress; a save after this finds no partition and writes nothing.
        removed += await this.withLock(state, async () => {
          this.partitions.delete(key);
          return state.partition.count(undefined);
        });
      }
      await removePartitionFiles(path.join(this.root, folder), companyId);
    }
    return removed;
  }

  async search({ companyId, type, vector, k, filter }: VectorSearchRequest): Promise<SearchHit[]> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    validateK(k);
    const folder = this.folderOf(type);
    const dimension = this.collections.get(folder)?.dimension;
    if (dimension === undefined) return [];
    validateVector(vector, dimension, folder);
    const state = this.partitions.get(keyOf(folder, companyId));
    if (!state) return [];
    const hits = state.partition.search(normalized(vector), k, hasFilter(filter) ? filter : undefined);
    return hits.map(({ id, score, payload }) => ({ id, type, score, payload }));
  }

  async count({ companyId, type, filter }: CountVectorsRequest): Promise<number> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const state = this.partitions.get(keyOf(this.folderOf(type), companyId));
    return state ? state.partition.count(hasFilter(filter) ? filter : undefined) : 0;
  }

  private folderOf(type: SearchDataType): string {
    return this.active.get(type) ?? collectionNameOf(type);
  }

  private async writeMeta(folder: string, meta: CollectionMeta): Promise<void> {
    await writeFileAtomic(path.join(this.root, folder, COLLECTION_META), JSON.stringify(meta));
    this.collections.set(folder, meta);
  }

  private requireDimension(type: SearchDataType, folder: string): number {
    const dimension = this.collections.get(folder)?.dimension;
    if (dimension === undefined) {
      throw AppError.invalid(
        `collection '${folder}' does not exist yet: call ensureCollection with the embedder's dimension first`,
      );
    }
    return dimension;
  }

  private partitionFor(folder: string, companyId: string, dimension: number): PartitionState {
    const key = keyOf(folder, companyId);
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
    const { folder, companyId } = parseKey(key);
    const directory = path.join(this.root, folder);
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
    const activeBytes = await readIfExists(path.join(this.root, ACTIVE_FILE));
    const folders = activeBytes ? (JSON.parse(activeBytes.toString('utf8')) as ActiveFolders) : {};
    for (const type of SEARCH_DATA_TYPES) {
      const folder = folders[type] ?? collectionNameOf(type);
      this.active.set(type, folder);
      const directory = path.join(this.root, folder);
      const metaBytes = await readIfExists(path.join(directory, COLLECTION_META));
      if (!metaBytes) continue;
      const meta = JSON.parse(metaBytes.toString('utf8')) as CollectionMeta;
      this.collections.set(folder, meta);
      for (const file of await fs.readdir(directory)) {
        if (file === COLLECTION_META || !file.endsWith(MANIFEST_SUFFIX)) continue;
        const companyId = file.slice(0, -MANIFEST_SUFFIX.length);
        try {
          await this.loadPartition(folder, companyId, directory, meta.dimension);
        } catch (error) {
          // One unreadable partition must not stop the service: it is reported and re-indexing rebuilds it.
          this.logger.error(`vector partition ${folder}/${companyId} could not be loaded: ${String(error)}`);
        }
      }
    }
    await this.removeAbandonedFolders();
  }

  /** Folders of a re-index that never switched (the process stopped), or left behind by one that did. */
  private async removeAbandonedFolders(): Promise<void> {
    const entries = await fs.readdir(this.root, { withFileTypes: true }).catch(() => []);
    const live = new Set(this.active.values());
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name.includes('@') && !live.has(entry.name)) {
        await fs.rm(path.join(this.root, entry.name), { recursive: true, force: true });
      }
    }
  }

  private async loadPartition(folder: string, companyId: string, directory: string, dimension: number) {
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
    this.partitions.set(keyOf(folder, companyId), {
      partition,
      generation: manifest.generation,
      lock: Promise.resolve(),
    });
  }
}

function keyOf(folder: string, companyId: string): string {
  return `${folder}/${companyId}`;
}

function parseKey(key: string): { folder: string; companyId: string } {
  const [folder, companyId] = key.split('/') as [string, string];
  return { folder, companyId };
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

/** A type's collection folders: its base name, or the name with a re-index suffix (`name@...`). */
function isFolderOf(folder: string, type: SearchDataType): boolean {
  const base = collectionNameOf(type);
  return folder === base || folder.startsWith(`${base}@`);
}

/** Every file of one company's partition in a folder: manifest, data and graph of any generation, temp files. */
async function removePartitionFiles(directory: string, companyId: string): Promise<void> {
  const own = new RegExp(`^${companyId}(\\.json|\\.\\d+\\.(f32|hnsw))(\\..+\\.tmp)?$`);
  const files = await fs.readdir(directory).catch(() => [] as string[]);
  for (const file of files) if (own.test(file)) await fs.rm(path.join(directory, file), { force: true });
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

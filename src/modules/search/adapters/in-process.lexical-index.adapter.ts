import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/config';
import { Bm25Index, Bm25Snapshot } from '../domain/bm25';
import {
  collectionNameOf,
  hasFilter,
  SEARCH_DATA_TYPES,
  SearchDataType,
  SearchHit,
} from '../domain/search-document';
import {
  DeleteLexicalRequest,
  LexicalIndex,
  LexicalPartitionRequest,
  LexicalSearchRequest,
  UpsertLexicalRequest,
} from '../ports/lexical-index.port';
import { assertSafeCompanyId } from './embedded/search-paths';
import { readIfExists, writeFileAtomic } from './persistence/atomic-file';
import { FlushScheduler } from './persistence/flush-scheduler';
import { validateK } from './vector-request.validation';

/**
 * BM25 per (type, company) in memory, persisted to `<DATA_DIR>/lexical/<collection>/<company>.json`.
 * Persisted rather than rebuilt at start: a rebuild would need every ticket's text from the database,
 * coupling this adapter to the tickets module and making boot time grow with the corpus, while the
 * snapshot (term frequencies + payload) is compact and loads in one read. Saves are batched like the
 * vector index's and flushed on shutdown.
 */
@Injectable()
export class InProcessLexicalIndex extends LexicalIndex implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InProcessLexicalIndex.name);
  private readonly root: string;
  private readonly partitions = new Map<string, Bm25Index>();
  private readonly flusher: FlushScheduler;
  private loaded: Promise<void> | undefined;

  constructor(config: AppConfig) {
    super();
    this.root = path.resolve(config.app.dataDir, 'lexical');
    this.flusher = new FlushScheduler(
      config.search.persistDebounceMs,
      (key) => this.save(key),
      (key, error) => this.logger.error(`saving lexical partition ${key} failed: ${String(error)}`),
    );
  }

  onModuleInit(): Promise<void> {
    this.loaded ??= this.loadAll();
    return this.loaded;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  async flush(): Promise<void> {
    await this.flusher.flushAll();
  }

  async upsert({ companyId, type, documents }: UpsertLexicalRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    if (documents.length === 0) return;
    for (const document of documents) {
      if (
        document.payload.company_id !== companyId ||
        document.payload.type !== type ||
        document.payload.id !== document.id
      ) {
        throw AppError.invalid(`document '${document.id}' does not belong to ${companyId}/${type}`);
      }
    }
    const key = keyOf(type, companyId);
    let index = this.partitions.get(key);
    if (!index) {
      index = new Bm25Index();
      this.partitions.set(key, index);
    }
    for (const document of documents) index.upsert(document.id, document.text, document.payload);
    this.flusher.markDirty(key);
  }

  async delete({ companyId, type, ids }: DeleteLexicalRequest): Promise<void> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const key = keyOf(type, companyId);
    const index = this.partitions.get(key);
    if (!index) return;
    let removed = 0;
    for (const id of ids) if (index.remove(id)) removed++;
    if (removed > 0) this.flusher.markDirty(key);
  }

  async search({ companyId, type, query, k, filter }: LexicalSearchRequest): Promise<SearchHit[]> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    validateK(k);
    const index = this.partitions.get(keyOf(type, companyId));
    if (!index) return [];
    return index
      .search(query, k, hasFilter(filter) ? filter : undefined)
      .map(({ id, score, payload }) => ({ id, type, score, payload }));
  }

  async deleteCompany({ companyId, type }: LexicalPartitionRequest): Promise<number> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const key = keyOf(type, companyId);
    const size = this.partitions.get(key)?.size ?? 0;
    // Forgotten first: a flush after this finds nothing to write; then its file goes.
    this.partitions.delete(key);
    await fs.rm(this.fileOf(type, companyId), { force: true });
    return size;
  }

  async countCompany({ companyId, type }: LexicalPartitionRequest): Promise<number> {
    assertSafeCompanyId(companyId);
    await this.onModuleInit();
    const size = this.partitions.get(keyOf(type, companyId))?.size ?? 0;
    const onDisk = (await readIfExists(this.fileOf(type, companyId))) ? 1 : 0;
    return size + onDisk;
  }

  private fileOf(type: SearchDataType, companyId: string): string {
    return path.join(this.root, collectionNameOf(type), `${companyId}.json`);
  }

  private async save(key: string): Promise<void> {
    const index = this.partitions.get(key);
    if (!index) return;
    const [type, companyId] = key.split('/') as [SearchDataType, string];
    await writeFileAtomic(this.fileOf(type, companyId), JSON.stringify(index.snapshot()));
  }

  private async loadAll(): Promise<void> {
    for (const type of SEARCH_DATA_TYPES) {
      const directory = path.join(this.root, collectionNameOf(type));
      const files = await fs.readdir(directory).catch(() => [] as string[]);
      for (const file of files) {
        if (!file.endsWith('.json')) continue;
        const companyId = file.slice(0, -'.json'.length);
        try {
          const bytes = await readIfExists(path.join(directory, file));
          if (!bytes) continue;
          this.partitions.set(
            keyOf(type, companyId),
            Bm25Index.fromSnapshot(JSON.parse(bytes.toString('utf8')) as Bm25Snapshot),
          );
        } catch (error) {
          this.logger.error(`lexical partition ${type}/${companyId} could not be loaded: ${String(error)}`);
        }
      }
    }
  }
}

function keyOf(type: SearchDataType, companyId: string): string {
  return `${type}/${companyId}`;
}

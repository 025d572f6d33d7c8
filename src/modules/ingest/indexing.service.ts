import { Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { BatchProcessor } from '../llm/batch-processor.service';
import { LlmService } from '../llm/llm.service';
import { SearchDataType, SearchPayload, toSearchType } from '../search/domain/search-document';
import { EmbedderVersions } from '../search/embedder-versions.service';
import { LexicalIndex } from '../search/ports/lexical-index.port';
import { VectorIndex } from '../search/ports/vector-index.port';
import type { SummarySource } from '../../database/entities/index-state';
import {
  ArticleRow,
  articleSourceText,
  embeddingText,
  resolutionOf,
  TicketRow,
  ticketSourceText,
} from './domain/index-documents';
import type { DataType } from '../jobs/jobs';
import { DeletionOutboxRepository } from './deletion-outbox.repository';
import { IndexedRow, IndexingRepository } from './indexing.repository';
import { PurgeService } from './purge.service';
import { TicketIndexedEvents } from '../events/ticket-indexed.events';

export interface ChunkOutcome {
  indexed: number;
  summariesLlm: number;
  summariesExtractive: number;
  failed: Array<{ id: string; error: string }>;
}

interface Prepared {
  row: TicketRow | ArticleRow;
  summary: string;
  summarySource: SummarySource;
}

/**
 * Indexes one chunk of rows: summarize (LLM batch processor, background lane, retries), embed in batches,
 * upsert vectors and lexical documents, then store summaries and `indexed` in one write. Whatever fails is
 * stored `failed` with its error and returned: never dropped.
 */
/** The vector or keyword store could not be reached while a chunk was written (not a problem of its rows). */
class IndexStoreUnavailable extends Error {
  constructor(override readonly cause: AppError) {
    super(cause.message);
  }
}

@Injectable()
export class IndexingService {
  private readonly logger = new Logger('Indexing');
  /** Collections ensured by this process: two overlapping chunks share one call. */
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly llm: LlmService,
    private readonly batches: BatchProcessor,
    private readonly vectors: VectorIndex,
    private readonly lexical: LexicalIndex,
    private readonly repository: IndexingRepository,
    private readonly indexedEvents: TicketIndexedEvents,
    private readonly outbox: DeletionOutboxRepository,
    private readonly purge: PurgeService,
    private readonly versions: EmbedderVersions,
  ) {}

  async indexChunk(input: {
    companyId: string;
    type: DataType;
    rows: Array<TicketRow | ArticleRow>;
  }): Promise<ChunkOutcome> {
    const { companyId, type, rows } = input;
    const outcome: ChunkOutcome = { indexed: 0, summariesLlm: 0, summariesExtractive: 0, failed: [] };
    if (rows.length === 0) return outcome;
    const spans = new Spans();

    const summaries = await this.batches.process({
      items: rows,
      idOf: (row) => row.id,
      handle: (row, signal) =>
        this.llm.summarize({
          companyId,
          priority: 'background',
          signal,
          text:
            type === 'tickets' ? ticketSourceText(row as TicketRow) : articleSourceText(row as ArticleRow),
        }),
    });
    spans.mark('summarize');
    const failures = summaries.failed.map((f) => ({
      id: f.id,
      contentHash: f.item.contentHash,
      error: `summary: ${f.error}`,
    }));
    let prepared: Prepared[] = summaries.results.map(({ item, value }) => ({
      row: item,
      summary: value.text,
      summarySource: value.source === 'openai' ? 'llm' : 'extractive',
    }));

    // An erasure requested while this chunk was summarized wins: nothing is written for the company.
    if (!(await this.repository.writable(companyId))) return outcome;

    if (prepared.length > 0) {
      try {
        await this.writeIndexes(companyId, type, prepared, spans);
      } catch (error) {
        // A store that cannot be reached fails the chunk, not its rows: the job retries with backoff and the
        // rows stay pending for the reconciler after that (a 15 s Qdrant outage left them failed for good).
        if (error instanceof IndexStoreUnavailable) throw error.cause;
        const message = error instanceof Error ? error.message : String(error);
        failures.push(
          ...prepared.map((p) => ({
            id: p.row.id,
            contentHash: p.row.contentHash,
            error: `index: ${message}`,
          })),
        );
        prepared = [];
      }
    }

    const indexedRows: IndexedRow[] = prepared.map((p) => ({
      id: p.row.id,
      contentHash: p.row.contentHash,
      summary: p.summary,
      summarySource: p.summarySource,
    }));
    const marked = await this.repository.markIndexed({ companyId, type, rows: indexedRows, at: new Date() });
    if (marked < indexedRows.length) prepared = await this.undoDeleted(companyId, type, prepared);
    await this.repository.markFailed({ companyId, type, rows: failures });
    spans.mark('mark');

    outcome.indexed = prepared.length;
    outcome.summariesLlm = prepared.filter((p) => p.summarySource === 'llm').length;
    outcome.summariesExtractive = prepared.length - outcome.summariesLlm;
    outcome.failed = failures.map(({ id, error }) => ({ id, error }));
    await this.indexedEvents.publishDocuments({ companyId, type, ids: prepared.map((p) => p.row.id) });
    if (type === 'tickets')
      await this.indexedEvents.publish({ companyId, ticketIds: prepared.map((p) => p.row.id) });
    spans.mark('events');
    // Where a chunk's time goes (LOG_LEVEL=debug): the ingest benchmark's profiling runs read these.
    this.logger.debug(`chunk of ${rows.length} ${type} for ${companyId}: ${spans.summary()}`);
    return outcome;
  }

  /**
   * A delete racing this chunk wins: rows that vanished while the chunk was summarized and written (their
   * purge may have run before this chunk's write) lose the entries the chunk just wrote. Rows that only
   * changed are pending again and re-indexed by the next pass.
   */
  private async undoDeleted(companyId: string, type: DataType, prepared: Prepared[]): Promise<Prepared[]> {
    const ids = prepared.map((p) => p.row.id);
    const present = new Set(await this.outbox.existing(companyId, type, ids));
    const vanished = ids.filter((id) => !present.has(id));
    if (vanished.length === 0) return prepared;
    await this.purge.removeFromIndexes(companyId, type, vanished);
    return prepared.filter((p) => present.has(p.row.id));
  }

  private async writeIndexes(
    companyId: string,
    type: DataType,
    prepared: Prepared[],
    spans: Spans,
  ): Promise<void> {
    const searchType = toSearchType(type);
    const documents = prepared.map((p) => toDocument(companyId, searchType, p));
    // While the collection holds another embedder's vectors, only keywords are written: the re-index that
    // switches collections embeds every indexed row from its stored summary.
    const vectorsCurrent = await this.versions.isCurrent(searchType);
    const embedded = vectorsCurrent
      ? await this.llm.embed({
          companyId,
          priority: 'background',
          texts: documents.map((d) =>
            embeddingText({ title: d.payload.title, summary: d.payload.summary, body: d.body }),
          ),
        })
      : undefined;
    spans.mark('embed');
    try {
      await this.writeStores({ companyId, searchType, documents, embedded, spans });
    } catch (error) {
      throw error instanceof AppError && error.code === ErrorCode.DependencyUnavailable
        ? new IndexStoreUnavailable(error)
        : error;
    }
    spans.mark('write');
  }

  private async writeStores(input: {
    companyId: string;
    searchType: SearchDataType;
    documents: Array<ReturnType<typeof toDocument>>;
    embedded: { vectors: Float32Array[] } | undefined;
    spans: Spans;
  }): Promise<void> {
    const { companyId, searchType, documents, embedded, spans } = input;
    if (embedded) await this.ensureCollection(companyId, searchType, embedded.vectors[0].length);
    // Two independent stores: written concurrently, so the chunk waits for the slower one, not for both.
    await Promise.all([
      embedded
        ? spans.time('vectors', () =>
            this.vectors.upsert({
              companyId,
              type: searchType,
              points: documents.map((d, i) => ({
                id: d.payload.id,
                vector: embedded.vectors[i],
                payload: d.payload,
              })),
            }),
          )
        : Promise.resolve(),
      spans.time('lexical', () =>
        this.lexical.upsert({
          companyId,
          type: searchType,
          documents: documents.map((d) => ({
            id: d.payload.id,
            text: [d.payload.title, d.payload.summary, d.body, d.payload.tags.join(' ')].join('\n'),
            payload: d.payload,
          })),
        }),
      ),
    ]);
  }

  /**
   * Re-index: embeds already indexed rows again from their stored summaries (no summarizing) and writes their
   * vectors into `collection` (a collection being rebuilt), or the active one. Returns how many were written.
   */
  async reembed(input: {
    companyId: string;
    type: DataType;
    rows: Array<TicketRow | ArticleRow>;
    collection?: string;
  }): Promise<number> {
    const { companyId, type } = input;
    const rows = input.rows.filter((row) => row.summary);
    if (rows.length === 0) return 0;
    // A re-index walking a company being erased writes none of its vectors again.
    if (!(await this.repository.writable(companyId))) return 0;
    const searchType = toSearchType(type);
    const documents = rows.map((row) =>
      toDocument(companyId, searchType, { row, summary: row.summary!, summarySource: 'llm' }),
    );
    const embedded = await this.llm.embed({
      companyId,
      priority: 'background',
      texts: documents.map((d) =>
        embeddingText({ title: d.payload.title, summary: d.payload.summary, body: d.body }),
      ),
    });
    if (!input.collection) await this.ensureCollection(companyId, searchType, embedded.vectors[0].length);
    await this.vectors.upsert({
      companyId,
      type: searchType,
      collection: input.collection,
      points: documents.map((d, i) => ({
        id: d.payload.id,
        vector: embedded.vectors[i],
        payload: d.payload,
      })),
    });
    return documents.length;
  }

  private async ensureCollection(companyId: string, type: SearchDataType, dimension: number): Promise<void> {
    const key = `${companyId}:${type}`;
    let ensured = this.ensured.get(key);
    if (!ensured) {
      ensured = this.vectors.ensureCollection({
        companyId,
        type,
        dimension,
        model: this.llm.embeddingModel.model,
      });
      this.ensured.set(key, ensured);
      // A failed ensure is tried again by the next chunk instead of failing every chunk after it.
      ensured.catch(() => this.ensured.delete(key));
    }
    await ensured;
  }

  /** After a re-index switched collections, the collections this process ensured are checked again. */
  forgetEnsuredCollections(): void {
    this.ensured.clear();
  }
}

/** Consecutive step durations of one chunk, and the durations of steps that overlap them. */
class Spans {
  private last = performance.now();
  private readonly steps: string[] = [];

  mark(step: string): void {
    const now = performance.now();
    this.steps.push(`${step} ${Math.round(now - this.last)} ms`);
    this.last = now;
  }

  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.steps.push(`(${step} ${Math.round(performance.now() - started)} ms)`);
    }
  }

  summary(): string {
    return this.steps.join(', ');
  }
}

function toDocument(
  companyId: string,
  type: SearchDataType,
  p: Prepared,
): { payload: SearchPayload; body: string } {
  if (type === 'ticket') {
    const t = p.row as TicketRow;
    return {
      body: t.description ?? '',
      payload: {
        company_id: companyId,
        type,
        id: t.id,
        title: t.subject,
        summary: p.summary,
        status: t.status,
        priority: t.priority,
        tags: t.tags,
        created_at: t.createdAt.toISOString(),
        updated_at: t.updatedAt.toISOString(),
        content_hash: t.contentHash,
        resolution: resolutionOf(t),
      },
    };
  }
  const a = p.row as ArticleRow;
  return {
    body: a.body,
    payload: {
      company_id: companyId,
      type,
      id: a.id,
      title: a.title,
      summary: p.summary,
      tags: a.tags,
      created_at: a.updatedAt.toISOString(),
      updated_at: a.updatedAt.toISOString(),
      content_hash: a.contentHash,
    },
  };
}

import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { dayRange, isUpToDate } from './domain/index-documents';
import {
  DataType,
  IndexChangesPayload,
  IngestRangePayload,
  IngestResult,
  IngestStats,
  JobProgress,
  MAX_REPORTED_ERRORS,
} from '../jobs/jobs';
import { IndexingRepository, ScanRequest } from './indexing.repository';
import { ChunkOutcome, IndexingService } from './indexing.service';

type Progress = (progress: JobProgress) => Promise<void>;

/** Bounds one outbox job under a constant stream of upserts; the next job or the reconciler goes on. */
const MAX_OUTBOX_PASSES = 20;

/**
 * Walks a company's rows in keyset chunks (never the whole company at once) and indexes each chunk.
 * Resumable: rows indexed before a crash are skipped by their content hash, vector ids are deterministic,
 * so a job restarted after SIGKILL ends with exactly one vector per row.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');
  private stopping = false;
  /** Outbox drains running in this process, by company and types. */
  private readonly drains = new Map<string, { requested: boolean }>();

  constructor(
    private readonly repository: IndexingRepository,
    private readonly indexing: IndexingService,
    private readonly config: AppConfig,
  ) {}

  /** Shutdown: running jobs stop after their current chunk and are retried (and resume) elsewhere. */
  stop(): void {
    this.stopping = true;
  }

  /** POST /api/v1/ingest: everything stored in the date range; unchanged rows skipped unless `force`. */
  async ingestRange(payload: IngestRangePayload, progress: Progress): Promise<IngestResult> {
    const range = dayRange(payload.startDate, payload.endDate);
    return this.run(payload.companyId, payload.dataTypes, { range }, { force: payload.force, progress });
  }

  /**
   * Drains the outbox: every row marked `pending` by an upsert. One drain per company and types at a time in
   * this process: a second job only asks the running one for another pass (two drains would read and index the
   * same pending chunk twice), so it completes at once with nothing done.
   */
  async indexChanges(payload: IndexChangesPayload, progress: Progress): Promise<IngestResult> {
    const key = `${payload.companyId}:${[...payload.dataTypes].sort().join(',')}`;
    const running = this.drains.get(key);
    if (running) {
      running.requested = true;
      return { stats: emptyStats(), errors: [] };
    }
    const drain = { requested: false };
    this.drains.set(key, drain);
    try {
      return await this.run(
        payload.companyId,
        payload.dataTypes,
        { pendingOnly: true },
        { force: true, progress, drain },
      );
    } finally {
      this.drains.delete(key);
    }
  }

  private async run(
    companyId: string,
    dataTypes: DataType[],
    scope: Pick<ScanRequest, 'range' | 'pendingOnly'>,
    options: { force: boolean; progress: Progress; drain?: { requested: boolean } },
  ): Promise<IngestResult> {
    const started = Date.now();
    const chunkSize = this.config.ingest.chunkSize;
    const stats = emptyStats();
    const errors: IngestResult['errors'] = [];
    // A job queued before its company's erasure was requested does nothing (the erasure removes it).
    if (!(await this.repository.writable(companyId))) return { stats, errors };
    for (const type of dataTypes) stats.total += await this.repository.count(type, { companyId, ...scope });
    await options.progress({ processed: 0, total: stats.total, failed: 0 });

    const account = async (type: DataType, chunk: { rows: number; outcome: ChunkOutcome }) => {
      stats.indexed += chunk.outcome.indexed;
      stats.summaries_llm += chunk.outcome.summariesLlm;
      stats.summaries_extractive += chunk.outcome.summariesExtractive;
      stats.failed += chunk.outcome.failed.length;
      for (const failure of chunk.outcome.failed) {
        if (errors.length < MAX_REPORTED_ERRORS) errors.push({ id: failure.id, type, error: failure.error });
      }
      stats.processed += chunk.rows;
      await options.progress({
        processed: stats.processed,
        total: Math.max(stats.total, stats.processed),
        failed: stats.failed,
      });
    };

    for (const type of dataTypes) {
      let after: ScanRequest['after'];
      let pass = { number: 1, processed: 0 };
      // Two chunks overlap: chunk N+1 is read and summarized while chunk N waits on its writes (vectors,
      // lexical index, database). Never more than two chunks are held, so memory stays bounded by 2 × chunk.
      const inFlight: InFlightChunk[] = [];
      const settleOldest = async () => {
        const chunk = inFlight[0];
        if (!chunk) return;
        const done = await chunk.done();
        inFlight.shift();
        await account(type, done);
      };
      const settleAll = async () => {
        while (inFlight.length > 0) await settleOldest();
      };
      try {
        for (;;) {
          const rows = await this.repository.scan(type, { companyId, ...scope, after, limit: chunkSize });
          if (rows.length > 0) {
            const last = rows[rows.length - 1];
            after = { updatedAt: last.updatedAt, id: last.id };
            const todo = options.force ? rows : rows.filter((r) => !isUpToDate(r));
            stats.skipped_unchanged += rows.length - todo.length;
            pass.processed += rows.length;
            inFlight.push(startChunk(rows.length, this.indexing.indexChunk({ companyId, type, rows: todo })));
            if (inFlight.length > 1) await settleOldest();
          }
          if (rows.length < chunkSize) {
            await settleAll();
            // Rows upserted while this pass ran may sort behind its cursor, and their upsert's job request may
            // have coalesced into this very job: the outbox drains again from the start until a pass finds nothing.
            const again = pass.processed > 0 || options.drain?.requested === true;
            if (options.drain) options.drain.requested = false;
            if (!scope.pendingOnly || !again || pass.number >= MAX_OUTBOX_PASSES) break;
            pass = { number: pass.number + 1, processed: 0 };
            after = undefined;
          }
          if (this.stopping) {
            await settleAll();
            throw new Error('worker shutting down after its current chunk; the job resumes on retry');
          }
        }
      } finally {
        // A failure (or shutdown) never leaves a chunk writing behind the job's back.
        await Promise.all(inFlight.map((chunk) => chunk.done().catch(() => undefined)));
      }
    }
    stats.duration_ms = Date.now() - started;
    this.logger.log(
      `company ${companyId}: ${stats.indexed} indexed, ${stats.skipped_unchanged} unchanged, ${stats.failed} failed in ${stats.duration_ms} ms`,
    );
    return { stats, errors };
  }
}

interface InFlightChunk {
  /** The chunk's outcome, or its error rethrown: only when awaited, so the job fails where it awaits it. */
  done(): Promise<{ rows: number; outcome: ChunkOutcome }>;
}

/** Starts tracking a chunk; its rejection is held (never unhandled) until the job awaits it. */
function startChunk(rows: number, work: Promise<ChunkOutcome>): InFlightChunk {
  const settled = work.then(
    (outcome) => ({ ok: true as const, outcome }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return {
    async done() {
      const result = await settled;
      if (!result.ok) throw result.error;
      return { rows, outcome: result.outcome };
    },
  };
}

function emptyStats(): IngestStats {
  return {
    total: 0,
    processed: 0,
    indexed: 0,
    skipped_unchanged: 0,
    failed: 0,
    summaries_llm: 0,
    summaries_extractive: 0,
    duration_ms: 0,
  };
}

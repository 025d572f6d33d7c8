import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { DataType, IngestRangePayload, JOB_OPTIONS, JobName } from '../jobs/jobs';
import { JobQueue, JobView, QueueCounts } from '../jobs/ports/job-queue.port';

const COALESCE_WINDOW_MS = 2_000;

/** The only way jobs enter the queue; the queue library stays behind the JobQueue port. */
@Injectable()
export class IngestProducer {
  private readonly logger = new Logger('IngestProducer');

  constructor(private readonly queue: JobQueue) {}

  startIngest(payload: IngestRangePayload): Promise<string> {
    return this.queue.add({ name: JobName.IngestRange, data: payload, options: JOB_OPTIONS['ingest-range'] });
  }

  /**
   * Coalesced per company and type: one waiting job drains everything pending. Fails fast when the queue is
   * down; callers on the HTTP path swallow that because the rows stay `pending` for the reconciler.
   */
  requestIndexing(companyId: string, dataTypes: DataType[]): Promise<string> {
    return this.queue.add({
      name: JobName.IndexChanges,
      data: { companyId, dataTypes },
      // One job per company, types and 2-second window: bursts of upserts coalesce, and a finished or failed job
      // never blocks the next window (Bull ignores an add whose id still exists).
      options: {
        ...JOB_OPTIONS['index-changes'],
        jobId: `index-changes:${companyId}:${dataTypes.join(',')}:${Math.floor(Date.now() / COALESCE_WINDOW_MS)}`,
      },
    });
  }

  /** Coalesced per company and window like indexing: one waiting purge drains every tombstone. */
  requestPurge(companyId: string): Promise<string> {
    return this.queue.add({
      name: JobName.PurgeDeleted,
      data: { companyId },
      options: {
        ...JOB_OPTIONS['purge-deleted'],
        jobId: `purge-deleted:${companyId}:${Math.floor(Date.now() / COALESCE_WINDOW_MS)}`,
      },
    });
  }

  /** A job of this company, or 404: another company's job id is unknown, not forbidden. */
  async getJob(companyId: string, jobId: string): Promise<JobView> {
    const job = await this.queue.getJob(jobId);
    if (!job || (job.data as { companyId?: string }).companyId !== companyId) throw AppError.notFound('job', jobId);
    return job;
  }

  counts(): Promise<QueueCounts> {
    return this.queue.counts();
  }

  get kind(): string {
    return this.queue.kind;
  }
}

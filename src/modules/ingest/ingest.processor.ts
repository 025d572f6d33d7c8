import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { isCompanyId } from '../../common/tenancy/company-id';
import { MetricsService } from '../metrics/metrics.service';
import { DataType, INGEST_QUEUE, IndexChangesPayload, IngestRangePayload, IngestResult, JobName } from '../jobs/jobs';
import { IngestService } from './ingest.service';
import { JobQueue } from '../jobs/ports/job-queue.port';
import { PurgeService } from './purge.service';

/** Registers the job handlers (worker and all roles): parse the payload, delegate to the service. */
@Injectable()
export class IngestProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IngestProcessor');

  constructor(
    private readonly queue: JobQueue,
    private readonly ingest: IngestService,
    private readonly purge: PurgeService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const concurrency = this.config.ingest.concurrency;
    this.queue.process({
      name: JobName.IngestRange,
      concurrency,
      handler: (data, ctx) =>
        this.timed(JobName.IngestRange, () => this.ingest.ingestRange(parseRange(data), (p) => ctx.reportProgress(p))),
    });
    this.queue.process({
      name: JobName.PurgeDeleted,
      concurrency,
      handler: (data) => this.purge.purgeDeleted(parseCompany(data.companyId)),
    });
    this.queue.process({
      name: JobName.IndexChanges,
      concurrency,
      handler: (data, ctx) =>
        this.timed(JobName.IndexChanges, () => this.ingest.indexChanges(parseChanges(data), (p) => ctx.reportProgress(p))),
    });
  }

  private async timed(job: JobName, run: () => Promise<IngestResult>): Promise<IngestResult> {
    const started = performance.now();
    try {
      const result = await run();
      this.metrics.recordJob({
        queue: INGEST_QUEUE,
        job,
        durationS: (performance.now() - started) / 1000,
        processed: result.stats.indexed,
        failed: result.stats.failed,
      });
      return result;
    } catch (error) {
      this.metrics.recordJob({ queue: INGEST_QUEUE, job, durationS: (performance.now() - started) / 1000 });
      throw error;
    }
  }

  /**
   * SIGTERM: stop taking jobs and let the active ones finish their current chunk. Runs before every
   * onApplicationShutdown hook, so the queue connection (closed there) is still open while jobs finish.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.ingest.stop();
    await this.queue.drain();
    this.logger.log('queue drained');
  }
}

function parseTypes(value: unknown): DataType[] {
  if (!Array.isArray(value) || value.some((t) => t !== 'tickets' && t !== 'articles')) {
    throw new Error(`malformed job payload: dataTypes ${JSON.stringify(value)}`);
  }
  return value as DataType[];
}

function parseCompany(value: unknown): string {
  if (!isCompanyId(value)) throw new Error('malformed job payload: companyId');
  return value;
}

function parseRange(data: IngestRangePayload): IngestRangePayload {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(String(data.startDate)) || !date.test(String(data.endDate))) throw new Error('malformed job payload: dates');
  return {
    companyId: parseCompany(data.companyId),
    startDate: data.startDate,
    endDate: data.endDate,
    dataTypes: parseTypes(data.dataTypes),
    force: data.force === true,
  };
}

function parseChanges(data: IndexChangesPayload): IndexChangesPayload {
  return { companyId: parseCompany(data.companyId), dataTypes: parseTypes(data.dataTypes) };
}

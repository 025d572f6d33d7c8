import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { isCompanyId } from '../../common/tenancy/company-id';
import { ApplyRetentionPayload, INGEST_QUEUE, JobName, RetentionResult } from '../jobs/jobs';
import { JobQueue } from '../jobs/ports/job-queue.port';
import { MetricsService } from '../metrics/metrics.service';
import { RetentionService } from './retention.service';

/** Runs `apply-retention` jobs (worker and all roles): parse the payload, delegate to RetentionService. */
@Injectable()
export class RetentionProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly retention: RetentionService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process({ name: JobName.ApplyRetention, concurrency: 1, handler: (data) => this.run(data) });
  }

  private async run(data: ApplyRetentionPayload): Promise<RetentionResult> {
    if (!isCompanyId(data?.companyId)) throw new Error('malformed job payload: companyId');
    const asOf = new Date(data.asOf);
    if (Number.isNaN(asOf.getTime())) throw new Error('malformed job payload: asOf');
    const started = performance.now();
    const result = await this.retention.applyTicketRetention({ companyId: data.companyId, asOf });
    this.metrics.recordJob({
      queue: INGEST_QUEUE,
      job: JobName.ApplyRetention,
      durationS: (performance.now() - started) / 1000,
    });
    return result;
  }
}

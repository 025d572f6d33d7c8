import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { INGEST_QUEUE, JobName, WarmPayload } from '../jobs/jobs';
import { JobQueue } from '../jobs/ports/job-queue.port';
import { isCompanyId } from '../../common/tenancy/company-id';
import { MetricsService } from '../metrics/metrics.service';
import { CacheWarmer, WarmReport } from './cache-warmer.service';

/** Runs `warm` jobs (worker and all roles): parse the payload, delegate to CacheWarmer. */
@Injectable()
export class CacheWarmProcessor implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly warmer: CacheWarmer,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process({ name: JobName.Warm, concurrency: 1, handler: (data) => this.run(data) });
  }

  private async run(data: WarmPayload): Promise<WarmReport> {
    if (!isCompanyId(data?.companyId)) {
      throw new Error('malformed job payload: companyId');
    }
    const started = performance.now();
    const report = await this.warmer.warmCompany(data.companyId);
    this.metrics.recordJob({
      queue: INGEST_QUEUE,
      job: JobName.Warm,
      durationS: (performance.now() - started) / 1000,
    });
    return report;
  }
}

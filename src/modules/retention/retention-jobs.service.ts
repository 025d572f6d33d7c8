import { Injectable, Logger } from '@nestjs/common';
import { JOB_OPTIONS, JobName } from '../jobs/jobs';
import { JobQueue } from '../jobs/ports/job-queue.port';
import { retentionJobId, retentionSlot } from './domain/retention-window';
import { RetentionPolicyRepository } from './retention-policy.repository';

const COMPANIES_PAGE = 100;

/**
 * Puts one retention run per company with a tickets policy on the job queue. Every worker's scheduler ticks;
 * the job id (company and the tick's minute) makes every add after the first a no-op, so one worker runs each
 * company's retention, and a run lost with a worker is retried by the queue.
 */
@Injectable()
export class RetentionJobs {
  private readonly logger = new Logger('RetentionJobs');

  constructor(
    private readonly queue: JobQueue,
    private readonly policies: RetentionPolicyRepository,
  ) {}

  async enqueueDue(now: Date): Promise<number> {
    const asOf = retentionSlot(now);
    let enqueued = 0;
    let afterId: string | undefined;
    for (;;) {
      const companies = await this.policies.withTicketsPolicy({ afterId, limit: COMPANIES_PAGE });
      for (const companyId of companies) {
        try {
          await this.queue.add({
            name: JobName.ApplyRetention,
            data: { companyId, asOf: asOf.toISOString() },
            options: { ...JOB_OPTIONS['apply-retention'], jobId: retentionJobId(companyId, asOf) },
          });
          enqueued += 1;
        } catch (error) {
          this.logger.warn(`retention of ${companyId} not enqueued (next tick): ${String(error)}`);
        }
      }
      if (companies.length < COMPANIES_PAGE) return enqueued;
      afterId = companies[companies.length - 1];
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { JOB_OPTIONS, JobName } from '../jobs/jobs';
import { JobQueue } from '../jobs/ports/job-queue.port';
import { QueryPopularity } from './query-popularity.service';

const COMPANIES_PAGE = 100;

/** Puts warm runs on the job queue: one now (admin route) or one per company with popularity data (nightly). */
@Injectable()
export class WarmJobs {
  private readonly logger = new Logger('WarmJobs');

  constructor(
    private readonly queue: JobQueue,
    private readonly popularity: QueryPopularity,
  ) {}

  enqueue(companyId: string): Promise<string> {
    return this.queue.add({ name: JobName.Warm, data: { companyId }, options: JOB_OPTIONS.warm });
  }

  /**
   * One job per company and day: every instance's cron may fire, the job id makes the later adds no-ops (and
   * the warm lock covers a job that is already done and removed). Companies are read a page at a time.
   */
  async enqueueNightly(now = new Date()): Promise<number> {
    const day = now.toISOString().slice(0, 10);
    let cursor = 0;
    let enqueued = 0;
    do {
      const page = await this.popularity.companies({ cursor, count: COMPANIES_PAGE });
      for (const companyId of page.companies) {
        try {
          await this.queue.add({
            name: JobName.Warm,
            data: { companyId },
            options: { ...JOB_OPTIONS.warm, jobId: `warm:${companyId}:${day}` },
          });
          enqueued += 1;
        } catch (error) {
          this.logger.warn(
            `nightly warm of ${companyId} not enqueued: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      cursor = page.next;
    } while (cursor !== 0);
    return enqueued;
  }
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/config';
import { RetentionJobs } from './retention-jobs.service';

const JOB = 'retention';

/** On RETENTION_CRON (default hourly, at :20), worker roles enqueue the retention runs (RetentionJobs). */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('RetentionScheduler');

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly jobs: RetentionJobs,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.retention.cron,
      onTick: () => this.tick(),
      start: false,
    });
    this.registry.addCronJob(JOB, job);
    job.start();
  }

  async tick(now = new Date()): Promise<void> {
    try {
      const enqueued = await this.jobs.enqueueDue(now);
      if (enqueued > 0) this.logger.log(`retention: ${enqueued} companies enqueued`);
    } catch (error) {
      this.logger.warn(`retention tick failed (next tick retries): ${String(error)}`);
    }
  }
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/config';
import { WarmJobs } from './warm-jobs.service';

const JOB = 'cache-warm-nightly';

/** Enqueues a warm run for every company with popularity data on CACHE_WARM_CRON (default 02:00). */
@Injectable()
export class NightlyWarmScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('NightlyWarm');

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly jobs: WarmJobs,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, cron } = this.config.semanticCache.warming;
    if (!enabled) return;
    const job = CronJob.from({ cronTime: cron, onTick: () => this.tick(), start: false });
    this.registry.addCronJob(JOB, job);
    job.start();
  }

  async tick(): Promise<void> {
    try {
      const enqueued = await this.jobs.enqueueNightly();
      this.logger.log(`nightly warm: ${enqueued} companies enqueued`);
    } catch (error) {
      this.logger.warn(`nightly warm failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

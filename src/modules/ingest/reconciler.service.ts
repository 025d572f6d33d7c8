import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { DeletionOutboxRepository } from './deletion-outbox.repository';
import { IndexingRepository } from './indexing.repository';
import { IngestProducer } from './ingest.producer';

const COMPANIES_PER_SWEEP = 1_000;

/**
 * At start and every RECONCILE_INTERVAL_MS, enqueues indexing for every company with `pending` rows and a purge
 * for every company with tombstones to settle. This is what makes indexing and deletion lossless: an upsert or a
 * delete whose enqueue failed (queue Redis down, worker killed) is picked up here.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly repository: IndexingRepository,
    private readonly producer: IngestProducer,
    private readonly deletions: DeletionOutboxRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.ingest.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many (company, type) pairs were enqueued. */
  async reconcile(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let enqueued = 0;
    try {
      const pending = await this.repository.companiesWithPending(COMPANIES_PER_SWEEP);
      for (const { companyId, type } of pending) {
        await this.producer.requestIndexing(companyId, [type]);
        enqueued += 1;
      }
      // Deletions whose index entries are still there (the purge job was lost with the queue or a worker).
      const graceEnd = new Date(Date.now() - this.config.lifecycle.deletionGraceMs);
      for (const companyId of await this.deletions.companiesWithWork(graceEnd, COMPANIES_PER_SWEEP)) {
        await this.producer.requestPurge(companyId);
        enqueued += 1;
      }
      if (enqueued > 0) this.logger.log(`re-enqueued ${enqueued} indexing or purge jobs`);
    } catch (error) {
      this.logger.warn(`reconcile failed, next sweep retries: ${String(error)}`);
    } finally {
      this.running = false;
    }
    return enqueued;
  }
}

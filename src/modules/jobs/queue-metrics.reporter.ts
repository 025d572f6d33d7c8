import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { INGEST_QUEUE } from './jobs';
import { JobQueue } from './ports/job-queue.port';

const REFRESH_MS = 5_000;

/** Keeps the queue-depth gauge current (every role: operators watch depth from the API's /metrics too). */
@Injectable()
export class QueueMetricsReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queue: JobQueue,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      this.metrics.setQueueDepth({ queue: INGEST_QUEUE, counts: await this.queue.counts() });
    } catch {
      // The queue store is down: the gauge keeps its last value; health and logs report the outage.
    }
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { DependencyHealth } from '../health/dependency.health';
import { JobQueue } from '../jobs/ports/job-queue.port';

const HEARTBEAT_EVERY_MS = 10_000;
/** A worker not heard from in this long is reported missing (three beats lost). */
const HEARTBEAT_STALE_MS = 30_000;

/**
 * Readiness of the queue (services mode): its Redis, required where jobs run (the worker role's whole work),
 * degrading elsewhere (an API's rows stay pending for the reconciler); in the api role, whether any worker
 * has beaten within 30 s (degrading: indexing waits). Worker roles beat every 10 s.
 */
@Injectable()
export class QueueHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('QueueHealth');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
    @Optional() private readonly health?: DependencyHealth,
  ) {}

  onApplicationBootstrap(): void {
    if (this.queue.kind !== 'bull') return;
    const role = this.config.app.role;
    this.health?.register(
      'queue_redis',
      async () => {
        await this.queue.ping();
        return { up: true };
      },
      { required: role === 'worker' },
    );
    if (role === 'api') {
      this.health?.register(
        'worker',
        async () => {
          const last = await this.queue.lastWorkerHeartbeat();
          const ageMs = last ? Date.now() - last.getTime() : undefined;
          const alive = ageMs !== undefined && ageMs <= HEARTBEAT_STALE_MS;
          return {
            up: alive,
            state: alive ? 'alive' : 'no worker seen',
            detail: {
              last_heartbeat: last?.toISOString() ?? null,
              ...(alive ? {} : { message: 'indexing waits until an APP_ROLE=worker instance runs' }),
            },
          };
        },
        { required: false },
      );
      return;
    }
    const beat = () =>
      this.queue
        .recordWorkerHeartbeat(HEARTBEAT_STALE_MS * 2)
        .catch((error: unknown) => this.logger.warn(`worker heartbeat not recorded: ${String(error)}`));
    void beat();
    this.timer = setInterval(() => void beat(), HEARTBEAT_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

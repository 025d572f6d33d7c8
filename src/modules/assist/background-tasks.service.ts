import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/config';

/**
 * Work that outlives the request that started it: a late LLM answer filling the cache, an LLM summary for
 * the next /init. Bounded: past `backgroundMax` tasks in flight new ones are dropped (the next request
 * simply misses again); each task gets an abort signal that fires after `backgroundTimeoutMs` and at
 * shutdown. Failures are logged, never thrown.
 */
@Injectable()
export class BackgroundTasks implements OnModuleDestroy {
  private readonly logger = new Logger('AssistBackground');
  private readonly running = new Map<Promise<void>, AbortController>();
  private droppedCount = 0;

  constructor(private readonly config: AppConfig) {}

  /** Starts `task` unless the cap is reached; returns false when it was dropped. */
  run(name: string, task: (signal: AbortSignal) => Promise<unknown>): boolean {
    if (this.running.size >= this.config.assist.backgroundMax) {
      this.droppedCount++;
      this.logger.warn(`background task dropped (cap ${this.config.assist.backgroundMax} reached): ${name}`);
      return false;
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`background task timed out: ${name}`)),
      this.config.assist.backgroundTimeoutMs,
    );
    timer.unref();
    const done: Promise<void> = task(controller.signal)
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn(`background task failed: ${name}: ${String(error)}`))
      .finally(() => {
        clearTimeout(timer);
        this.running.delete(done);
      });
    this.running.set(done, controller);
    return true;
  }

  get inFlight(): number {
    return this.running.size;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Resolves when every task started so far has settled (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.keys()]);
  }

  async onModuleDestroy(): Promise<void> {
    for (const controller of this.running.values()) controller.abort(new Error('shutting down'));
    await this.drain();
  }
}

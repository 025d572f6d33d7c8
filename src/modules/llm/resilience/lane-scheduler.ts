import pLimit, { LimitFunction } from 'p-limit';
import { RoundRobinQueue } from '../domain/round-robin-queue';
import { LlmPriority } from '../ports/llm-call';

export interface LaneStats {
  interactiveActive: number;
  interactiveQueued: number;
  backgroundActive: number;
  backgroundQueued: number;
}

interface QueuedTask {
  start: () => void;
  /** Leaves the backlog (if still in it) and rejects with the signal's reason. */
  abort: (reason: unknown) => void;
}

/**
 * Bulkheads for upstream calls.
 * - A global cap on calls in flight (`max`).
 * - Two lanes: background work may hold at most `background` slots, so `max - background` slots are always
 *   free for interactive calls, and the background backlog waits in its own queue, never in front of them.
 * - Fairness: the background backlog is one FIFO per company, served round-robin.
 */
export class LaneScheduler {
  private readonly interactive: LimitFunction;
  private readonly backlog = new RoundRobinQueue<QueuedTask>();
  private backgroundActive = 0;
  /** Queued background calls by the abort signal they wait under. */
  private readonly waiting = new Map<AbortSignal, { waiting: Set<QueuedTask>; onAbort: () => void }>();

  constructor(private readonly limits: { max: number; background: number }) {
    this.interactive = pLimit(limits.max);
  }

  run<T>(
    lane: { priority: LlmPriority; companyId: string; signal?: AbortSignal },
    task: () => Promise<T>,
  ): Promise<T> {
    if (lane.priority === 'interactive') {
      return this.interactive(task).finally(() => this.pump());
    }
    return new Promise<T>((resolve, reject) => {
      const queued: QueuedTask = {
        start: () => {
          this.unwatch(lane.signal, queued);
          this.backgroundActive++;
          this.resizeInteractive();
          task()
            .then(resolve, reject)
            .finally(() => {
              this.backgroundActive--;
              this.resizeInteractive();
              this.pump();
            });
        },
        abort: (reason) => {
          if (this.backlog.remove(lane.companyId, queued)) reject(reason);
        },
      };
      this.watch(lane.signal, queued);
      this.backlog.push(lane.companyId, queued);
      this.pump();
    });
  }

  /**
   * One abort listener per signal, however many queued calls share it (a batch's items share their job's
   * signal, and cockatiel hands every call without one the same never-aborted signal): a listener per call
   * would pile up on that signal while a backlog waits.
   */
  private watch(signal: AbortSignal | undefined, queued: QueuedTask): void {
    if (!signal) return;
    let tasks = this.waiting.get(signal);
    if (!tasks) {
      const waiting = new Set<QueuedTask>();
      const onAbort = () => {
        this.waiting.delete(signal);
        for (const t of waiting) t.abort(signal.reason);
      };
      tasks = { waiting, onAbort };
      this.waiting.set(signal, tasks);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    tasks.waiting.add(queued);
  }

  private unwatch(signal: AbortSignal | undefined, queued: QueuedTask): void {
    const tasks = signal && this.waiting.get(signal);
    if (!tasks) return;
    tasks.waiting.delete(queued);
    if (tasks.waiting.size === 0) {
      signal.removeEventListener('abort', tasks.onAbort);
      this.waiting.delete(signal);
    }
  }

  stats(): LaneStats {
    return {
      interactiveActive: this.interactive.activeCount,
      interactiveQueued: this.interactive.pendingCount,
      backgroundActive: this.backgroundActive,
      backgroundQueued: this.backlog.size,
    };
  }

  queuedFor(companyId: string): number {
    return this.backlog.sizeOf(companyId);
  }

  /** Starts background work while its lane and the global cap have room and no interactive call is waiting. */
  private pump(): void {
    while (
      this.backlog.size > 0 &&
      this.backgroundActive < this.limits.background &&
      this.interactive.pendingCount === 0 &&
      this.interactive.activeCount + this.backgroundActive < this.limits.max
    ) {
      this.backlog.shift()!.start();
    }
  }

  /** Interactive calls get whatever background work leaves of the global cap (at least max - background). */
  private resizeInteractive(): void {
    this.interactive.concurrency = Math.max(1, this.limits.max - this.backgroundActive);
  }
}

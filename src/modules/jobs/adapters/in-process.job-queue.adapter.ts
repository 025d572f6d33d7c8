import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { JobName, JobOptions, JobPayloads, JobProgress } from '../jobs';
import { JobHandler, JobQueue, JobState, JobView, QueueCounts } from '../ports/job-queue.port';

interface StoredJob {
  view: JobView;
  options: JobOptions;
  finishedAt?: number;
}

/**
 * Embedded mode's queue: the same states, retries with exponential backoff, progress and results as Bull,
 * in process memory. Not durable across restarts, which is safe here because rows stay `pending` in the
 * database until indexed and the reconciler re-enqueues them at start.
 */
@Injectable()
export class InProcessJobQueue extends JobQueue {
  readonly kind = 'in-process' as const;

  /** Nothing to reach: the queue is this process's memory. */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** The jobs run in this process: it is its own worker. */
  recordWorkerHeartbeat(): Promise<void> {
    return Promise.resolve();
  }

  lastWorkerHeartbeat(): Promise<Date | undefined> {
    return Promise.resolve(new Date());
  }

  private readonly logger = new Logger('InProcessQueue');
  private readonly jobs = new Map<string, StoredJob>();
  private readonly waiting: string[] = [];
  private readonly handlers = new Map<
    JobName,
    { handler: JobHandler<JobName>; concurrency: number; running: number }
  >();
  private readonly active = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private draining = false;

  async add<N extends JobName>(input: {
    name: N;
    data: JobPayloads[N];
    options: JobOptions;
  }): Promise<string> {
    const id = input.options.jobId ?? randomUUID();
    const existing = this.jobs.get(id);
    if (existing && ['waiting', 'active', 'delayed'].includes(existing.view.state)) return id;
    this.jobs.set(id, {
      options: input.options,
      view: {
        id,
        name: input.name,
        data: input.data,
        state: 'waiting',
        progress: null,
        result: undefined,
        attemptsMade: 0,
      },
    });
    this.waiting.push(id);
    this.pump();
    return id;
  }

  async getJob(id: string): Promise<JobView | null> {
    const job = this.jobs.get(id);
    return job ? { ...job.view } : null;
  }

  async counts(): Promise<QueueCounts> {
    const counts: QueueCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, paused: 0 };
    for (const { view } of this.jobs.values()) {
      if (view.state in counts) counts[view.state as keyof QueueCounts] += 1;
    }
    return counts;
  }

  async removeCompanyJobs(input: { companyId: string; keepIds: string[] }): Promise<number> {
    const keep = new Set(input.keepIds);
    let removed = 0;
    for (const [id, job] of [...this.jobs]) {
      if (keep.has(id) || job.view.state === 'active' || !ofCompany(job.view, input.companyId)) continue;
      this.jobs.delete(id);
      const waitingAt = this.waiting.indexOf(id);
      if (waitingAt >= 0) this.waiting.splice(waitingAt, 1);
      removed += 1;
    }
    return removed;
  }

  async countCompanyJobs(input: { companyId: string; keepIds: string[] }): Promise<number> {
    const keep = new Set(input.keepIds);
    let n = 0;
    for (const [id, job] of this.jobs) if (!keep.has(id) && ofCompany(job.view, input.companyId)) n += 1;
    return n;
  }

  process<N extends JobName>(input: { name: N; concurrency: number; handler: JobHandler<N> }): void {
    this.handlers.set(input.name, {
      handler: input.handler as unknown as JobHandler<JobName>,
      concurrency: input.concurrency,
      running: 0,
    });
    this.pump();
  }

  async drain(): Promise<void> {
    this.draining = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.active]);
  }

  private pump(): void {
    if (this.draining) return;
    for (let i = 0; i < this.waiting.length;) {
      const job = this.jobs.get(this.waiting[i]);
      const lane = job ? this.handlers.get(job.view.name) : undefined;
      if (!job || !lane || lane.running >= lane.concurrency) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      lane.running += 1;
      const run = this.run(job, lane.handler).finally(() => {
        lane.running -= 1;
        this.active.delete(run);
        this.pump();
      });
      this.active.add(run);
    }
  }

  private async run(job: StoredJob, handler: JobHandler<JobName>): Promise<void> {
    const view = job.view;
    view.state = 'active';
    try {
      view.result = await handler(view.data, {
        id: view.id,
        // attemptsMade counts finished failed attempts, as Bull's does: 0 while the first attempt runs.
        attempt: view.attemptsMade + 1,
        reportProgress: async (progress: JobProgress) => {
          view.progress = { ...progress };
        },
      });
      this.finish(job, 'completed');
    } catch (error) {
      view.failedReason = error instanceof Error ? error.message : String(error);
      view.attemptsMade += 1;
      if (view.attemptsMade < job.options.attempts && !this.draining) {
        view.state = 'delayed';
        const delayMs = job.options.backoffMs * 2 ** (view.attemptsMade - 1);
        this.logger.warn(
          `job ${view.name} ${view.id} attempt ${view.attemptsMade} failed (${view.failedReason}); retry in ${delayMs} ms`,
        );
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          // Removed while it waited for its retry (its company was erased).
          if (this.jobs.get(view.id) !== job) return;
          view.state = 'waiting';
          this.waiting.push(view.id);
          this.pump();
        }, delayMs);
        timer.unref();
        this.timers.add(timer);
      } else {
        this.logger.warn(
          `job ${view.name} ${view.id} failed after ${view.attemptsMade} attempts: ${view.failedReason}`,
        );
        this.finish(job, 'failed');
      }
    }
  }

  private finish(job: StoredJob, state: JobState): void {
    job.view.state = state;
    job.finishedAt = Date.now();
    const keep = state === 'completed' ? job.options.removeOnComplete : job.options.removeOnFail;
    if (keep === true) this.jobs.delete(job.view.id);
    else if (typeof keep === 'number') this.trim(state, keep);
  }

  private trim(state: JobState, keep: number): void {
    const finished = [...this.jobs.values()]
      .filter((j) => j.view.state === state)
      .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    for (const job of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.delete(job.view.id);
  }
}

function ofCompany(view: JobView, companyId: string): boolean {
  return (view.data as { companyId?: unknown }).companyId === companyId;
}

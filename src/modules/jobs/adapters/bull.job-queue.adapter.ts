import { Injectable, Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../common/errors/app-error';
import type { JobName, JobOptions, JobPayloads, JobProgress } from '../jobs';
import { JobHandler, JobQueue, JobState, JobView, QueueCounts } from '../ports/job-queue.port';

const ADD_TIMEOUT_MS = 1_000;
/** A page of jobs read or removed in one round trip when a company's jobs are swept. */
const SWEEP_PAGE = 200;
const SWEEP_TIMEOUT_MS = 10_000;
// Bull's 'waiting' reads the paused list too.
const REMOVABLE_STATES = ['waiting', 'delayed', 'failed', 'completed'] as const;
/** How long a connection still opening at shutdown may take to finish before it is cut. */
const OPENING_WAIT_MS = 2_000;

export type BullClientType = 'client' | 'subscriber' | 'bclient';

/**
 * The queue's Redis connections, made through Bull's `createClient` option. Bull disconnects only the
 * connections it creates itself, so a closed application kept three Redis sockets per queue: these are closed
 * here when the queue closes, and one Bull opens afterwards (its getters open connections lazily, and its
 * pause reopens the blocking one) is closed as soon as it is ready.
 */
export class BullConnections {
  private readonly clients = new Set<Redis>();
  private closed = false;

  constructor(private readonly create: (type: BullClientType) => Redis) {}

  open(type: BullClientType): Redis {
    const client = this.create(type);
    this.clients.add(client);
    if (this.closed) void this.retire(client);
    return client;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.clients].map((client) => this.retire(client)));
  }

  /**
   * One still opening is let finish first (bounded): cut off mid-handshake, ioredis fails the ready check it
   * has in flight and the socket can still complete its connect afterwards.
   */
  private async retire(client: Redis): Promise<void> {
    // Bull removed its 'error' listeners on close: the connection is being closed, nothing left to report.
    client.on('error', () => undefined);
    client.on('ready', () => client.disconnect());
    if (client.status === 'end') return;
    if (client.status === 'connecting' || client.status === 'connect') {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, OPENING_WAIT_MS);
        client.once('ready', resolve);
        client.once('end', resolve);
      }).finally(() => clearTimeout(timer));
    }
    client.disconnect();
  }
}

/**
 * Bull on the queue Redis. Producers fail fast (the client has no offline queue, and `add` is bounded);
 * a job killed with its worker is picked up again by Bull's stalled-job check.
 */
@Injectable()
export class BullJobQueue extends JobQueue {
  readonly kind = 'bull' as const;
  private readonly logger = new Logger('BullQueue');

  constructor(
    private readonly queue: Queue,
    private readonly connections: BullConnections,
  ) {
    super();
    // Without a listener an 'error' event (e.g. a connection closing under a blocking command) would throw.
    this.queue.on('error', (error: Error) => this.logger.warn(`queue: ${error.message}`));
    // Bull names the worker connection when a handler is registered and never handles that promise: when the
    // connection ends before it was ready (a frozen Redis at shutdown), it rejects with no error, Bull's catch
    // then throws a TypeError, and the unhandled rejection would end the process. Naming is cosmetic.
    const named = queue as Queue & { setWorkerName(): Promise<unknown> };
    const setWorkerName = named.setWorkerName.bind(queue);
    named.setWorkerName = () =>
      setWorkerName().catch((error: unknown) => this.logger.debug(`worker name not set: ${String(error)}`));
    // @nestjs/bull closes the queue from an onApplicationShutdown it attaches to this instance. Bull's close()
    // rejects with "Connection is closed." when it disconnects a blocking client that is still reconnecting
    // (its own pause forces that reconnection), which would fail the whole application's shutdown.
    (queue as Queue & { onApplicationShutdown?: () => Promise<void> }).onApplicationShutdown = async () => {
      await queue.close().catch((error: unknown) => this.logger.warn(`close: ${String(error)}`));
      await this.connections.closeAll();
    };
  }

  async add<N extends JobName>(input: {
    name: N;
    data: JobPayloads[N];
    options: JobOptions;
  }): Promise<string> {
    const jobId = input.options.jobId ?? randomUUID();
    let timer: NodeJS.Timeout | undefined;
    try {
      const added = this.connected().then(() =>
        this.queue.add(input.name, input.data, {
          jobId,
          attempts: input.options.attempts,
          backoff: { type: 'exponential', delay: input.options.backoffMs },
          removeOnComplete: input.options.removeOnComplete,
          removeOnFail: input.options.removeOnFail,
        }),
      );
      // The loser of the race must not become an unhandled rejection.
      added.catch(() => undefined);
      // Right after start the connection may still be opening; the race bounds the wait.
      await Promise.race([
        added,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`queue did not answer within ${ADD_TIMEOUT_MS} ms`)),
            ADD_TIMEOUT_MS,
          );
        }),
      ]);
      return jobId;
    } catch (error) {
      throw AppError.unavailable('the job queue', error);
    } finally {
      clearTimeout(timer);
    }
  }

  private ready?: Promise<void>;

  /** Resolves once the producer connection is up (shared by concurrent callers, so no listener pile-up). */
  private connected(): Promise<void> {
    const client = this.queue.client;
    if (client.status === 'ready') return Promise.resolve();
    this.ready ??= new Promise<void>((resolve) =>
      client.once('ready', () => {
        this.ready = undefined;
        resolve();
      }),
    );
    return this.ready;
  }

  async ping(): Promise<void> {
    await this.bounded(this.queue.client.ping());
  }

  async recordWorkerHeartbeat(ttlMs: number): Promise<void> {
    await this.bounded(this.queue.client.set(this.heartbeatKey(), String(Date.now()), 'PX', ttlMs));
  }

  async lastWorkerHeartbeat(): Promise<Date | undefined> {
    const value = await this.bounded(this.queue.client.get(this.heartbeatKey()));
    return value ? new Date(Number(value)) : undefined;
  }

  /** In the queue's own key space (its prefix and name), so queues of different deployments never mix. */
  private heartbeatKey(): string {
    return (this.queue as Queue & { toKey(name: string): string }).toKey('worker-heartbeat');
  }

  private bounded<T>(command: Promise<T>, ms = ADD_TIMEOUT_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    command.catch(() => undefined);
    return Promise.race([
      command,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`queue Redis did not answer within ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Pages through each state's list (Bull keeps no index by payload), removing the company's jobs: a page's
   * removals shift the list, so the next page starts that many places earlier. Memory: one page.
   */
  async removeCompanyJobs(input: { companyId: string; keepIds: string[] }): Promise<number> {
    const keep = new Set(input.keepIds);
    let removed = 0;
    for (const state of REMOVABLE_STATES) {
      let start = 0;
      for (;;) {
        const page = await this.bounded(
          this.queue.getJobs([state], start, start + SWEEP_PAGE - 1, true),
          SWEEP_TIMEOUT_MS,
        );
        const jobs = page.filter((job): job is Job => Boolean(job));
        let removedHere = 0;
        for (const job of jobs) {
          if (keep.has(String(job.id)) || !ofCompany(job, input.companyId)) continue;
          // A job that turned active meanwhile is locked and stays: it is counted by the residue, swept again.
          const gone = await this.bounded(
            job.remove().then(
              () => true,
              () => false,
            ),
            SWEEP_TIMEOUT_MS,
          );
          if (gone) removedHere += 1;
        }
        removed += removedHere;
        if (page.length < SWEEP_PAGE) break;
        start += page.length - removedHere;
      }
    }
    return removed;
  }

  async countCompanyJobs(input: { companyId: string; keepIds: string[] }): Promise<number> {
    const keep = new Set(input.keepIds);
    // By id: a job that changes state while the states are listed one after another is counted once.
    const seen = new Set<string>();
    for (const state of ['active', ...REMOVABLE_STATES] as const) {
      for (let start = 0; ; start += SWEEP_PAGE) {
        const page = await this.bounded(
          this.queue.getJobs([state], start, start + SWEEP_PAGE - 1, true),
          SWEEP_TIMEOUT_MS,
        );
        for (const job of page) {
          if (job && !keep.has(String(job.id)) && ofCompany(job, input.companyId)) seen.add(String(job.id));
        }
        if (page.length < SWEEP_PAGE) break;
      }
    }
    return seen.size;
  }

  async getJob(id: string): Promise<JobView | null> {
    let job = await this.queue.getJob(id);
    if (!job) return null;
    const state = (await job.getState()) as string;
    // The hash was read before the state: a job that finished in between reads as done without its result.
    if ((state === 'completed' || state === 'failed') && !job.finishedOn)
      job = (await this.queue.getJob(id)) ?? job;
    return {
      id: String(job.id),
      name: job.name as JobName,
      data: job.data as JobPayloads[JobName],
      state: (['waiting', 'active', 'completed', 'failed', 'delayed', 'paused'].includes(state)
        ? state
        : 'unknown') as JobState,
      progress: typeof job.progress() === 'object' ? (job.progress() as JobProgress) : null,
      result: job.returnvalue,
      failedReason: job.failedReason,
      attemptsMade: job.attemptsMade,
    };
  }

  async counts(): Promise<QueueCounts> {
    const counts = await this.queue.getJobCounts();
    return { paused: 0, ...counts } as QueueCounts;
  }

  process<N extends JobName>(input: { name: N; concurrency: number; handler: JobHandler<N> }): void {
    // The returned promise settles when the processing loop stops (it rejects when the connection closes).
    const loop = this.queue.process(input.name, input.concurrency, async (job: Job<JobPayloads[N]>) =>
      input.handler(job.data, {
        id: String(job.id),
        attempt: job.attemptsMade + 1,
        reportProgress: async (progress) => {
          await job.progress(progress);
        },
      }),
    );
    loop.catch((error: unknown) =>
      this.logger.debug(`processing loop for ${input.name} ended: ${String(error)}`),
    );
  }

  async drain(): Promise<void> {
    // Stop taking jobs on this worker and wait for the active ones (pause(true) = local, waits).
    await this.queue
      .pause(true, false)
      .catch((error: unknown) => this.logger.warn(`pause failed: ${String(error)}`));
  }
}

function ofCompany(job: Job, companyId: string): boolean {
  return (job.data as { companyId?: unknown } | undefined)?.companyId === companyId;
}

import type { JobName, JobOptions, JobPayloads, JobProgress } from '../jobs';

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'paused' | 'unknown';

export interface JobView<N extends JobName = JobName> {
  id: string;
  name: N;
  data: JobPayloads[N];
  state: JobState;
  progress: JobProgress | null;
  result: unknown;
  failedReason?: string;
  /** Failed attempts so far (Bull's meaning): 0 while the first attempt runs and after it succeeds. */
  attemptsMade: number;
}

export interface JobContext {
  id: string;
  /** This attempt, from 1: `attemptsMade + 1`. */
  attempt: number;
  reportProgress(progress: JobProgress): Promise<void>;
}

export type JobHandler<N extends JobName> = (data: JobPayloads[N], ctx: JobContext) => Promise<unknown>;

export type QueueCounts = Record<'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'paused', number>;

/**
 * Port: a durable job queue. Bull on Redis in services mode, an in-process queue in embedded mode, with the
 * same job states, progress and results. `add` fails fast when the queue store is down (no offline queue).
 */
export abstract class JobQueue {
  abstract add<N extends JobName>(input: { name: N; data: JobPayloads[N]; options: JobOptions }): Promise<string>;
  abstract getJob(id: string): Promise<JobView | null>;
  abstract counts(): Promise<QueueCounts>;
  /** Starts consuming jobs of this name (worker and all roles only). */
  abstract process<N extends JobName>(input: { name: N; concurrency: number; handler: JobHandler<N> }): void;
  /** Stops taking new jobs and waits for the active ones to finish. */
  abstract drain(): Promise<void>;
  /** One round trip to the queue's store (for readiness); throws when it cannot be reached. */
  abstract ping(): Promise<void>;
  /** A worker says it is alive; the API's readiness reads the last time any worker did. */
  abstract recordWorkerHeartbeat(ttlMs: number): Promise<void>;
  abstract lastWorkerHeartbeat(): Promise<Date | undefined>;
  /**
   * Removes every job whose payload names this company (waiting, delayed, paused, failed, completed), a page at
   * a time; active jobs are left to finish. `keepIds`: jobs never removed (the erasure's own). Returns how many.
   */
  abstract removeCompanyJobs(input: { companyId: string; keepIds: string[] }): Promise<number>;
  /** Jobs whose payload names this company in any state, active included, except `keepIds`. */
  abstract countCompanyJobs(input: { companyId: string; keepIds: string[] }): Promise<number>;
  abstract readonly kind: 'bull' | 'in-process';
}

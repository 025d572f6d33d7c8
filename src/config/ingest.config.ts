import { IsOptional, Matches } from 'class-validator';
import { defineConfig, toInt } from './define-config';
import { IsIntString } from './validators';

class IngestEnv {
  @IsOptional() @IsIntString(1) INGEST_CHUNK_SIZE?: string = undefined;
  @IsOptional() @IsIntString(1) INGEST_CONCURRENCY?: string = undefined;
  @IsOptional() @IsIntString(1) RECONCILE_INTERVAL_MS?: string = undefined;
  @IsOptional() @IsIntString(0) ANALYZE_CHECK_MS?: string = undefined;
  @IsOptional() @IsIntString(1) QUEUE_STALLED_INTERVAL_MS?: string = undefined;
  @IsOptional() @IsIntString(1) QUEUE_LOCK_DURATION_MS?: string = undefined;
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'must be 1-40 characters of A-Z, a-z, 0-9, _ and -' }) QUEUE_PREFIX?: string =
    undefined;
}

export interface IngestSettings {
  /** Rows read, summarized, embedded and written per step; memory is bounded by it. */
  chunkSize: number;
  /** Jobs a worker runs at once. */
  concurrency: number;
  /** How often the reconciler re-enqueues rows still `pending` (also once at start). */
  reconcileIntervalMs: number;
  /** How often a worker checks whether the tables ingestion grows need fresh planner statistics; 0: never. */
  analyzeCheckMs: number;
  /** Bull: how often stalled jobs (their worker died) are looked for, and how long a job lock lives. */
  stalledIntervalMs: number;
  lockDurationMs: number;
  /** Bull key prefix: deployments (or test runs) sharing one Redis keep their queues apart. */
  queuePrefix: string;
}

export const ingestConfig = defineConfig<IngestEnv, IngestSettings>('ingest', IngestEnv, (env) => ({
  chunkSize: toInt(env.INGEST_CHUNK_SIZE, 500),
  concurrency: toInt(env.INGEST_CONCURRENCY, 2),
  reconcileIntervalMs: toInt(env.RECONCILE_INTERVAL_MS, 60_000),
  analyzeCheckMs: toInt(env.ANALYZE_CHECK_MS, 10_000),
  stalledIntervalMs: toInt(env.QUEUE_STALLED_INTERVAL_MS, 5_000),
  lockDurationMs: toInt(env.QUEUE_LOCK_DURATION_MS, 30_000),
  queuePrefix: env.QUEUE_PREFIX ?? 'bull',
}));

import { Injectable } from '@nestjs/common';
import { ExponentialBackoff, handleWhen, noJitterGenerator, retry } from 'cockatiel';
import pLimit from 'p-limit';
import { AppConfig } from '../../config/config';
import { EventLoopSlice } from './domain/event-loop-slice';

export interface BatchOptions {
  batchSize: number;
  /** Items in flight at once. */
  maxConcurrent: number;
  /** Pause before releasing the next batch (upstream rate limits). */
  delayMs: number;
  /** Attempts per item, the first included; waits retryDelayMs × 2^n between them. */
  retryAttempts: number;
  retryDelayMs: number;
}

export interface BatchProgress {
  processed: number;
  succeeded: number;
  failed: number;
  total: number;
}

export interface BatchFailure<T> {
  id: string;
  item: T;
  error: string;
  cause: unknown;
  attempts: number;
}

export interface BatchStats {
  total: number;
  succeeded: number;
  failed: number;
  /** Attempts beyond the first, over all items. */
  retries: number;
  batches: number;
  durationMs: number;
  averageBatchMs: number;
  itemsPerSecond: number;
}

export interface BatchOutcome<T, R> {
  results: { id: string; item: T; value: R }[];
  /** Every item that failed, with its error: nothing is logged and dropped. */
  failed: BatchFailure<T>[];
  stats: BatchStats;
}

export interface BatchRequest<T, R> {
  items: T[];
  handle: (item: T, signal: AbortSignal) => Promise<R>;
  idOf?: (item: T, index: number) => string;
  /** Errors that are not worth a retry (e.g. invalid input) fail the item at once. */
  isRetryable?: (error: unknown) => boolean;
  onProgress?: (progress: BatchProgress) => void;
  options?: Partial<BatchOptions>;
  signal?: AbortSignal;
}

/**
 * Runs a handler over many items: batches of `batchSize` are released one after another (with `delayMs`
 * between releases) into a pool of `maxConcurrent` workers, so the pool stays full across batch boundaries;
 * each item is retried with 2^n backoff. Every failure is returned with its item and error.
 */
@Injectable()
export class BatchProcessor {
  constructor(private readonly config: AppConfig) {}

  async process<T, R>(request: BatchRequest<T, R>): Promise<BatchOutcome<T, R>> {
    const options: BatchOptions = { ...this.config.llm.batch, ...request.options };
    const { items, idOf = (_item: T, index: number) => String(index) } = request;
    const started = Date.now();
    const limit = pLimit(options.maxConcurrent);
    const itemRetry = retry(
      handleWhen((error) => !request.signal?.aborted && (request.isRetryable?.(error) ?? true)),
      {
        maxAttempts: options.retryAttempts - 1,
        backoff: new ExponentialBackoff({
          generator: noJitterGenerator,
          initialDelay: options.retryDelayMs,
          exponent: 2,
          maxDelay: 60_000,
        }),
      },
    );

    const results: BatchOutcome<T, R>['results'] = [];
    const failed: BatchFailure<T>[] = [];
    let retries = 0;
    const batchDurations: number[] = [];
    const report = () =>
      request.onProgress?.({
        processed: results.length + failed.length,
        succeeded: results.length,
        failed: failed.length,
        total: items.length,
      });

    // Local handlers (extractive summaries) finish without real I/O: without a yield now and then a whole
    // chunk would run in microtasks and the process would answer no request until it ends.
    const slice = new EventLoopSlice();
    const runItem = async (item: T, index: number, started: () => void): Promise<void> => {
      started();
      await slice.maybeYield();
      let attempts = 0;
      try {
        const value = await itemRetry.execute(({ signal }) => {
          attempts++;
          return request.handle(item, signal);
        }, request.signal);
        results.push({ id: idOf(item, index), item, value });
      } catch (cause) {
        failed.push({ id: idOf(item, index), item, error: describe(cause), cause, attempts });
      } finally {
        retries += Math.max(0, attempts - 1);
        report();
      }
    };

    const pending: Promise<void>[] = [];
    for (let offset = 0; offset < items.length; offset += options.batchSize) {
      if (offset > 0 && options.delayMs > 0) await sleep(options.delayMs);
      const batchStarted = Date.now();
      const batch = items.slice(offset, offset + options.batchSize);
      const startedSignals: Promise<void>[] = [];
      const done = batch.map((item, i) => {
        let markStarted!: () => void;
        startedSignals.push(new Promise<void>((resolve) => (markStarted = resolve)));
        return limit(() => runItem(item, offset + i, markStarted));
      });
      pending.push(Promise.all(done).then(() => void batchDurations.push(Date.now() - batchStarted)));
      // The next batch is released once this one has fully started, keeping the pool busy without an
      // unbounded queue.
      await Promise.all(startedSignals);
    }
    await Promise.all(pending);

    const durationMs = Date.now() - started;
    const byInput = new Map(items.map((item, index) => [idOf(item, index), index]));
    results.sort((a, b) => byInput.get(a.id)! - byInput.get(b.id)!);
    return {
      results,
      failed,
      stats: {
        total: items.length,
        succeeded: results.length,
        failed: failed.length,
        retries,
        batches: batchDurations.length,
        durationMs,
        averageBatchMs: batchDurations.length
          ? batchDurations.reduce((s, d) => s + d, 0) / batchDurations.length
          : 0,
        itemsPerSecond: durationMs > 0 ? (items.length * 1000) / durationMs : items.length,
      },
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

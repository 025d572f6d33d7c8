import { Logger } from '@nestjs/common';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LocalComputeResponse, LocalComputeTask } from './local-compute.protocol';

export interface LocalComputePoolOptions {
  /** Threads to start (at `start()` or the first call); 0 keeps every call in process. */
  threads: number;
  /** Node options of the threads. Default: the process's own, so a TypeScript require hook carries over. */
  execArgv?: string[];
}

interface Thread {
  worker: Worker;
  inFlight: number;
}

/**
 * Runs the local models' CPU work (hashing embeddings, extractive summaries) on worker threads, so in embedded
 * mode the ingest's model work uses another core while the event loop serves requests, writes SQLite and
 * grows the HNSW graph. The work is pure: a thread that cannot start or dies only sends its calls back to
 * the caller (`undefined`), which computes them in process; nothing is lost, and the pool stays off after.
 */
export class LocalComputePool {
  private readonly logger = new Logger('LocalCompute');
  private threads: Thread[] | undefined;
  private off: boolean;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { thread: Thread; settle: (response: LocalComputeResponse | undefined) => void }
  >();

  constructor(private readonly options: LocalComputePoolOptions) {
    this.off = options.threads <= 0 || !(options.execArgv || workerLoadable());
  }

  get enabled(): boolean {
    return !this.off;
  }

  /** The texts' vectors, or undefined when no thread took the call (compute them in process). */
  async embed(texts: string[], dimension: number): Promise<Float32Array[] | undefined> {
    const response = await this.run({ op: 'embed', texts, dimension });
    if (!response || response.op !== 'embed') return undefined;
    return texts.map((_, i) => response.vectors.subarray(i * dimension, (i + 1) * dimension));
  }

  /** The extractive summary, or undefined when no thread took the call (compute it in process). */
  async summarize(text: string, maxChars: number): Promise<string | undefined> {
    const response = await this.run({ op: 'summarize', text, maxChars });
    return response?.op === 'summarize' ? response.summary : undefined;
  }

  /**
   * Starts the threads now instead of at the first call: a thread's start (loading its modules) is CPU work
   * that would otherwise land in the middle of traffic.
   */
  start(): void {
    this.pick();
  }

  async close(): Promise<void> {
    const threads = this.threads ?? [];
    this.off = true;
    this.threads = undefined;
    this.release(() => true);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private async run(
    task: LocalComputeTask,
  ): Promise<Extract<LocalComputeResponse, { ok: true }> | undefined> {
    const thread = this.pick();
    if (!thread) return undefined;
    const id = this.nextId++;
    const response = await new Promise<LocalComputeResponse | undefined>((settle) => {
      this.pending.set(id, { thread, settle });
      thread.inFlight++;
      thread.worker.postMessage({ ...task, id });
    });
    if (response && !response.ok) throw new Error(response.error);
    return response;
  }

  private pick(): Thread | undefined {
    if (this.off) return undefined;
    this.threads ??= Array.from({ length: this.options.threads }, () => this.spawn());
    let best: Thread | undefined;
    for (const t of this.threads) if (!best || t.inFlight < best.inFlight) best = t;
    return best;
  }

  private spawn(): Thread {
    const worker = new Worker(join(__dirname, `local-compute.worker${extname(__filename)}`), {
      ...(this.options.execArgv ? { execArgv: this.options.execArgv } : {}),
    });
    const thread: Thread = { worker, inFlight: 0 };
    // Idle threads do not keep a finished process (or a test run) alive.
    worker.unref();
    worker.on('message', (response: LocalComputeResponse) => {
      const entry = this.pending.get(response.id);
      if (!entry) return;
      this.pending.delete(response.id);
      thread.inFlight--;
      entry.settle(response);
    });
    const fail = (reason: string) => {
      if (!this.off)
        this.logger.warn(`local-compute thread stopped (${reason}): local models run in process`);
      this.off = true;
      this.release((entry) => entry.thread === thread);
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => {
      if (this.pending.size > 0 || code !== 0) fail(`exit ${code}`);
    });
    return thread;
  }

  /** Hands the matching calls back to their callers, to be computed in process. */
  private release(matches: (entry: { thread: Thread }) => boolean): void {
    for (const [id, entry] of this.pending) {
      if (!matches(entry)) continue;
      this.pending.delete(id);
      entry.thread.inFlight--;
      entry.settle(undefined);
    }
  }
}

/**
 * Compiled (`.js`), a thread loads its entry as is; from TypeScript sources only when a require hook for `.ts`
 * is installed (the benchmarks' and CLI child processes), which the thread inherits with the process's options.
 */
function workerLoadable(): boolean {
  return extname(__filename) === '.js' || typeof require.extensions?.['.ts'] === 'function';
}

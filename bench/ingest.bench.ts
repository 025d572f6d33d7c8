/**
 * Ingest benchmark: generated helpdesk tickets (English and Korean, realistic lengths) pushed through the real
 * application end to end — HTTP PUT /api/v1/tickets in 1000-ticket bodies, then the indexing jobs to
 * completion (every row `indexed`, one vector per row) — with peak RSS of the API and worker processes.
 *
 *   npm run bench:ingest                     # services: 10k, 20k, 50k, 200k; embedded 10k; OpenAI double
 *   npm run bench:ingest -- --quick          # services 2k and 5k, embedded 2k, OpenAI double C=8 × 80
 *   npm run bench:ingest -- --sizes=20000,200000 --modes=services --json out.json
 *
 * services: PostgreSQL (a fresh schema in $DATABASE_URL, default the machine's `test` database), Redis
 * ($REDIS_URL / $QUEUE_REDIS_URL, own key and queue prefixes), the vector store is the Qdrant double
 * (test/fakes/qdrant.fake-server.ts, schema-validated) in a child process of its own (bench/lib/qdrant-double-process.ts)
 * because the machine has no Qdrant; API and worker are separate processes (APP_ROLE=api / worker). embedded: one process, SQLite,
 * in-process queue and vector index. Local models unless stated (hashing embedder, extractive summaries).
 * RSS: /proc/<pid>/status VmRSS sampled every 200 ms, and VmHWM (the kernel's peak) at the end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';
import { generateTickets, inBatches } from '../src/cli/generate/support-data.generator';
import { loadSqliteDriver } from '../src/database/sqlite-driver';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';
import { AppProcess, createCompany, freePort, spawnApp } from './lib/app-process';
import { BenchRow, emitResult, info, parseBenchArgs, round, verdict } from './lib/bench-output';
import { httpCall, keepAliveAgent, parseJson, sleep } from './lib/http-client';
import { percentile, printTable } from './lib/stats';
import { QdrantDoubleProcess, startQdrantDouble } from './lib/qdrant-double-process';

type Mode = 'services' | 'embedded';

const BATCH = 1_000;
const PUTS_IN_FLIGHT = 2;
const COMPANY = 'bench-ingest';
const DATE_RANGE = { start_date: '2024-01-01', end_date: '2025-01-31' };
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const QUEUE_REDIS_URL = process.env.QUEUE_REDIS_URL ?? 'redis://127.0.0.1:6379/1';

function arg(name: string): string | undefined {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
}

/** Resident memory of a process in MB: the current value and the kernel's high-water mark. */
function memoryOf(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

class RssSampler {
  readonly samples: Array<{ t: number; mb: Record<string, number> }> = [];
  private readonly peaks: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private readonly started = performance.now();

  constructor(private readonly processes: Record<string, number>) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 200);
  }

  /** Stops sampling; the peak is the larger of the sampled maximum and VmHWM. */
  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.sample();
    for (const [name, pid] of Object.entries(this.processes)) {
      const hwm = memoryOf(pid)?.hwmMb ?? 0;
      this.peaks[name] = Math.max(this.peaks[name] ?? 0, hwm);
    }
    return { ...this.peaks };
  }

  private sample(): void {
    const mb: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.processes)) {
      const m = memoryOf(pid);
      if (!m) continue;
      mb[name] = round(m.rssMb);
      this.peaks[name] = Math.max(this.peaks[name] ?? 0, m.rssMb);
    }
    this.samples.push({ t: round((performance.now() - this.started) / 1000), mb });
  }
}

/**
 * Requests served while an ingest runs: a GET /api/v1/tickets?limit=1 every 250 ms against the API process
 * (the only process in embedded mode), 10 s client timeout. A CPU-bound step that holds the event loop shows
 * up here as a slow or timed-out request.
 */
class ResponsivenessProbe {
  readonly latencies: number[] = [];
  failures = 0;
  private running = true;
  private loop?: Promise<void>;

  constructor(
    private readonly port: number,
    private readonly key: string,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        const res = await httpCall({
          port: this.port,
          method: 'GET',
          path: '/api/v1/tickets?limit=1',
          key: this.key,
          timeoutMs: 10_000,
        });
        if (res.status === 200) this.latencies.push(res.ms);
        else this.failures++;
        await sleep(250);
      }
    })();
  }

  async stop(): Promise<{ count: number; failures: number; p50Ms: number; p99Ms: number; maxMs: number }> {
    this.running = false;
    await this.loop;
    return {
      count: this.latencies.length,
      failures: this.failures,
      p50Ms: percentile(this.latencies, 50),
      p99Ms: percentile(this.latencies, 99),
      maxMs: this.latencies.length ? Math.max(...this.latencies) : NaN,
    };
  }
}

/** Counts of rows per index_state, read straight from the database the app writes. */
interface StateCounter {
  /** Whether any row still waits: an index lookup, cheap enough to poll often at any size. */
  anyPending(): Promise<boolean>;
  /** A count of every row (a scan of the company's rows: 0.6 s at 200k), once nothing is pending. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function pgCounter(schema: string): Promise<StateCounter> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  return {
    async anyPending() {
      const { rows } = await client.query<{ pending: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${schema}.ticket WHERE company_id = $1 AND index_state = 'pending') AS pending`,
        [COMPANY],
      );
      return rows[0].pending;
    },
    async counts() {
      const { rows } = await client.query<{ index_state: string; n: string }>(
        `SELECT index_state, count(*) AS n FROM ${schema}.ticket WHERE company_id = $1 GROUP BY index_state`,
        [COMPANY],
      );
      return Object.fromEntries(rows.map((r) => [r.index_state, Number(r.n)]));
    },
    close: () => client.end(),
  };
}

function sqliteCounter(dataDir: string): StateCounter {
  const Database = loadSqliteDriver() as typeof BetterSqlite3;
  const db = new Database(join(dataDir, 'support-copilot.sqlite'), { readonly: true, fileMustExist: true });
  const statement = db.prepare(
    'SELECT index_state, count(*) AS n FROM ticket WHERE company_id = ? GROUP BY index_state',
  );
  const pending = db.prepare(
    "SELECT EXISTS (SELECT 1 FROM ticket WHERE company_id = ? AND index_state = 'pending') AS pending",
  );
  return {
    anyPending: () => Promise.resolve((pending.get(COMPANY) as { pending: number }).pending === 1),
    counts: () =>
      Promise.resolve(
        Object.fromEntries(
          (statement.all(COMPANY) as Array<{ index_state: string; n: number }>).map((r) => [
            r.index_state,
            r.n,
          ]),
        ),
      ),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

interface Stack {
  api: AppProcess;
  worker?: AppProcess;
  counter(): Promise<StateCounter>;
  qdrant?: QdrantDoubleProcess;
  close(): Promise<void>;
}

async function startStack(input: { mode: Mode; env?: Record<string, string> }): Promise<Stack> {
  // --cpu-prof=<dir>: every app process writes a V8 CPU profile there when it exits (bench/lib/cpu-profile.js).
  const profileDir = arg('cpu-prof');
  // --app-env=K=V,K2=V2: extra environment of every app process, for diagnostic runs (say so when quoting them).
  const extraEnv = Object.fromEntries(
    (arg('app-env') ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  const common = {
    LOG_LEVEL: 'warn',
    // --prefetch=off: no /init bundle prefetch after indexing (Assist's work, measured by bench:assist). Its
    // similar-ticket searches go to the Qdrant double, which searches by brute force (O(points) each).
    ...(arg('prefetch') === 'off' ? { ASSIST_PREFETCH_ENABLED: 'false' } : {}),
    ...extraEnv,
    ...(profileDir
      ? { NODE_OPTIONS: `--require ${join(__dirname, 'lib', 'cpu-profile.js')}`, PROFILE_DIR: profileDir }
      : {}),
    // The bench measures indexing, not the periodic safety net: the outbox job of each upsert does the work.
    RECONCILE_INTERVAL_MS: '600000',
    ...input.env,
  };
  if (input.mode === 'embedded') {
    const api = await spawnApp({ env: { ...common, APP_ROLE: 'all' } });
    return {
      api,
      counter: async () => sqliteCounter(api.dataDir),
      close: async () => void (await api.stop()),
    };
  }
  const schema = `bench_ingest_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const qdrant = await startQdrantDouble();
  const prefix = `bench-ingest-${randomBytes(3).toString('hex')}`;
  const env = {
    ...common,
    DATABASE_URL: PG_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    QUEUE_REDIS_URL,
    QUEUE_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}:`,
    QDRANT_URL: qdrant.url,
    // The double (schema validation of every request) shares 2 cores with everything: slower than a real Qdrant.
    QDRANT_TIMEOUT_MS: '30000',
    QDRANT_COLLECTION_PREFIX: prefix.replace(/[^a-z0-9_-]/g, ''),
  };
  let api: AppProcess;
  try {
    api = await spawnApp({ env: { ...env, APP_ROLE: 'api' } });
  } catch (error) {
    // Nothing may outlive a failed start: the double (a child process) and the schema go too.
    await qdrant.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    throw error;
  }
  const workerPort = await freePort();
  // --worker-require=<file>: preloaded into the worker (e.g. a CPU profiler) for profiling runs.
  const preload = arg('worker-require');
  let worker: AppProcess;
  try {
    worker = await spawnApp({
      port: workerPort,
      env: {
        ...env,
        APP_ROLE: 'worker',
        WORKER_PORT: String(workerPort),
        ...(preload
          ? { NODE_OPTIONS: `--require ${preload}`, PROFILE_DIR: process.env.PROFILE_DIR ?? '' }
          : {}),
      },
    });
  } catch (error) {
    await api.stop();
    await qdrant.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    throw error;
  }
  return {
    api,
    worker,
    qdrant,
    counter: () => pgCounter(schema),
    async close() {
      await Promise.all([api.stop(), worker.stop()]);
      await qdrant.stop();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

interface RunResult {
  mode: Mode;
  size: number;
  putSeconds: number;
  endToEndSeconds: number;
  verifySeconds: number;
  ticketsPerSecond: number;
  peaks: Record<string, number>;
  rss: RssSampler['samples'];
  vectors: number | null;
  indexed: number;
  failed: number;
  probe: Awaited<ReturnType<ResponsivenessProbe['stop']>>;
}

async function waitUntil(
  check: () => Promise<boolean>,
  input: { timeoutMs: number; what: string; stack: Stack; detail?: () => string; pollMs?: number },
): Promise<void> {
  const deadline = Date.now() + input.timeoutMs;
  while (!(await check())) {
    for (const p of [input.stack.api, input.stack.worker]) {
      if (p && p.child.exitCode !== null)
        throw new Error(`a process exited during ${input.what}:\n${p.output()}`);
    }
    if (Date.now() > deadline) {
      const logs = [input.stack.api, input.stack.worker]
        .map((p) => p?.output().slice(-1500) ?? '')
        .join('\n---\n');
      throw new Error(
        `${input.what} did not finish in ${input.timeoutMs} ms (${input.detail?.() ?? ''}):\n${logs}`,
      );
    }
    await sleep(input.pollMs ?? 250);
  }
}

/** PUT every ticket (2 bodies in flight), wait until no row is pending, then run an ingest job over the range. */
async function runIngest(input: {
  mode: Mode;
  size: number;
  seed: number;
  env?: Record<string, string>;
  /** Called at the first PUT. */
  onStart?: () => void;
}): Promise<RunResult> {
  const stack = await startStack({ mode: input.mode, env: input.env });
  try {
    const key = await createCompany(stack.api.port, COMPANY);
    const counter = await stack.counter();
    const sampler = new RssSampler({
      api: stack.api.child.pid!,
      ...(stack.worker ? { worker: stack.worker.child.pid! } : {}),
    });
    const agent = keepAliveAgent(PUTS_IN_FLIGHT);
    const probe = new ResponsivenessProbe(stack.api.port, key);
    sampler.start();
    const started = performance.now();
    input.onStart?.();
    probe.start();

    const batches = inBatches(generateTickets(input.size, { seed: input.seed }), BATCH);
    const sender = async () => {
      for (let next = batches.next(); !next.done; next = batches.next()) {
        const res = await httpCall({
          port: stack.api.port,
          method: 'PUT',
          path: '/api/v1/tickets',
          key,
          body: { tickets: next.value },
          agent,
          timeoutMs: 120_000,
        });
        if (res.status !== 200)
          throw new Error(`PUT /api/v1/tickets: ${res.status} ${res.body.slice(0, 500)}`);
      }
    };
    await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, sender));
    const putSeconds = (performance.now() - started) / 1000;

    let counts: Record<string, number> = {};
    await waitUntil(
      async () => {
        // Every PUT has been answered, so no pending row left means done: the full count then confirms it.
        if (await counter.anyPending()) return false;
        counts = await counter.counts();
        return (counts.pending ?? 0) === 0 && (counts.indexed ?? 0) + (counts.failed ?? 0) === input.size;
      },
      {
        timeoutMs: Math.max(120_000, input.size * 20),
        // The poll is an index lookup; the count over every row (0.6 s at 200k) runs only once nothing is pending.
        pollMs: 250,
        what: 'indexing',
        stack,
        detail: () => JSON.stringify(counts),
      },
    );
    const endToEndSeconds = (performance.now() - started) / 1000;
    const probed = await probe.stop();

    // The ingest job over the whole range: finds every row up to date (content hash) and completes.
    const verifyStarted = performance.now();
    const job = await httpCall({
      port: stack.api.port,
      method: 'POST',
      path: '/api/v1/ingest',
      key,
      body: { ...DATE_RANGE, data_types: ['tickets'] },
    });
    const jobId = parseJson<{ job_id: string }>(job.body)?.job_id;
    if (job.status !== 202 || !jobId) throw new Error(`POST /api/v1/ingest: ${job.status} ${job.body}`);
    let jobStats: Record<string, number> = {};
    await waitUntil(
      async () => {
        const res = await httpCall({
          port: stack.api.port,
          method: 'GET',
          path: `/api/v1/ingest/${jobId}`,
          key,
        });
        const body = parseJson<{ state: string; stats: Record<string, number>; failed_reason?: string }>(
          res.body,
        );
        if (body?.state === 'failed') throw new Error(`ingest job failed: ${body.failed_reason}`);
        jobStats = body?.stats ?? {};
        return body?.state === 'completed';
      },
      { timeoutMs: Math.max(120_000, input.size * 5), what: 'the ingest job', stack },
    );
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const peaks = sampler.stop();
    if ((jobStats.skipped_unchanged ?? 0) + (jobStats.indexed ?? 0) !== input.size) {
      throw new Error(`ingest job saw ${JSON.stringify(jobStats)}, expected ${input.size} rows`);
    }
    const vectors = stack.qdrant ? await stack.qdrant.pointCount() : null;
    await counter.close();
    agent.destroy();
    return {
      mode: input.mode,
      size: input.size,
      putSeconds,
      endToEndSeconds,
      verifySeconds,
      ticketsPerSecond: input.size / endToEndSeconds,
      peaks,
      rss: sampler.samples,
      vectors,
      indexed: counts.indexed ?? 0,
      failed: counts.failed ?? 0,
      probe: probed,
    };
  } finally {
    // --show-logs: the last lines each process wrote (warnings and errors at the bench's LOG_LEVEL).
    if (process.argv.includes('--show-logs')) {
      for (const [name, p] of Object.entries({ api: stack.api, worker: stack.worker }))
        if (p) console.error(`--- ${name} output ---\n${p.output().slice(-3000)}`);
    }
    await stack.close();
  }
}

/**
 * Summaries/s through the OpenAI double at a fixed latency and concurrency C (services mode, local sizes).
 * Steady state: the double's count of answered chat calls is sampled every 50 ms, and the rate is taken
 * between the 10th and the 90th percentile of the calls (the ramp-up after the first PUT and the tail of
 * the last batch are left out). The end-to-end rate (first PUT to last row indexed) is reported beside it.
 */
async function runLlm(input: { concurrency: number; latencyMs: number; tickets: number }): Promise<{
  steadyPerSecond: number;
  endToEndPerSecond: number;
  seconds: number;
  maxInFlight: number;
  window: { calls: number; seconds: number };
}> {
  const fake = await FakeOpenAiServer.start({ latencyMs: input.latencyMs, embeddingDimension: 64 });
  const samples: Array<{ t: number; calls: number }> = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const c = input.concurrency;
    const result = await runIngest({
      mode: 'services',
      size: input.tickets,
      seed: 11,
      env: {
        OPENAI_BASE_URL: fake.url,
        OPENAI_API_KEY: 'bench-key',
        LLM_EMBEDDING_DIMENSION: '64',
        LLM_BATCH_MAX_CONCURRENT: String(c),
        LLM_BACKGROUND_CONCURRENCY: String(c),
        LLM_MAX_CONCURRENCY: String(c + 2),
      },
      onStart: () => {
        const sample = () => samples.push({ t: performance.now(), calls: fake.counters.chatCalls });
        sample();
        timer = setInterval(sample, 50);
      },
    });
    clearInterval(timer);
    const total = fake.counters.chatCalls;
    const reach = (n: number) => samples.find((s) => s.calls >= n)!;
    const from = reach(Math.ceil(total * 0.1));
    const to = reach(Math.floor(total * 0.9));
    const window = { calls: to.calls - from.calls, seconds: (to.t - from.t) / 1000 };
    return {
      steadyPerSecond: window.calls / window.seconds,
      endToEndPerSecond: result.indexed / result.endToEndSeconds,
      seconds: result.endToEndSeconds,
      maxInFlight: fake.counters.maxInFlight,
      window,
    };
  } finally {
    clearInterval(timer);
    await fake.close();
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const modes = (arg('modes') ?? 'services,embedded,llm').split(',');
  const sizes = (arg('sizes') ?? (args.quick ? '2000,5000' : '10000,20000,50000,200000'))
    .split(',')
    .map(Number);
  const embeddedSizes = (arg('embedded-sizes') ?? (args.quick ? '2000' : '10000')).split(',').map(Number);
  const llmConcurrency = Number(arg('llm-concurrency') ?? 8);
  const llmTickets = Number(arg('llm-tickets') ?? (args.quick ? llmConcurrency * 10 : llmConcurrency * 30));
  const rows: BenchRow[] = [];
  const table: Record<string, string | number>[] = [];
  const series: Record<string, unknown> = {};
  const results: RunResult[] = [];

  const plan: Array<{ mode: Mode; size: number }> = [
    ...(modes.includes('services') ? sizes.map((size) => ({ mode: 'services' as const, size })) : []),
    ...(modes.includes('embedded') ? embeddedSizes.map((size) => ({ mode: 'embedded' as const, size })) : []),
  ];
  for (const step of plan) {
    console.error(`ingest ${step.mode} ${step.size} tickets …`);
    let r: RunResult;
    try {
      r = await runIngest({ ...step, seed: 42 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(message);
      rows.push(
        verdict({
          name: `${step.mode} ${step.size} tickets end to end`,
          target: '≥ 1000 tickets/s',
          value: `error: ${message.split('\n')[0]}`,
          unit: 'tickets/s',
          pass: false,
        }),
      );
      continue;
    }
    results.push(r);
    // Each run as it ends: a long series still leaves its finished runs behind if a later one is interrupted.
    console.error(
      `  ${r.size} tickets: ${round(r.ticketsPerSecond)} tickets/s end to end, peak RSS ${JSON.stringify(r.peaks)} MB, failed ${r.failed}`,
    );
    table.push({
      mode: r.mode,
      tickets: r.size,
      'put s': round(r.putSeconds),
      'end-to-end s': round(r.endToEndSeconds),
      'tickets/s': round(r.ticketsPerSecond),
      'ingest job s': round(r.verifySeconds),
      'api peak MB': round(r.peaks.api ?? NaN),
      'worker peak MB': round(r.peaks.worker ?? NaN),
      vectors: r.vectors ?? '-',
      failed: r.failed,
      'probe p99 / max ms': `${round(r.probe.p99Ms)} / ${round(r.probe.maxMs)}`,
    });
    rows.push(
      verdict({
        name: `${r.mode} ${r.size} tickets end to end`,
        target: '≥ 1000 tickets/s',
        value: r.ticketsPerSecond,
        unit: 'tickets/s',
        pass: r.ticketsPerSecond >= 1_000 && r.failed === 0 && (r.vectors === null || r.vectors === r.size),
      }),
      info({ name: `${r.mode} ${r.size} api peak RSS`, value: r.peaks.api, unit: 'MB' }),
      verdict({
        name: `${r.mode} ${r.size}: GET /api/v1/tickets every 250 ms during the ingest, max latency (${r.probe.count} requests, ${r.probe.failures} failed or timed out)`,
        target: 'all answered, max ≤ 1000 ms',
        value: r.probe.maxMs,
        unit: 'ms',
        pass: r.probe.failures === 0 && r.probe.maxMs <= 1_000,
      }),
    );
    if (r.peaks.worker !== undefined)
      rows.push(info({ name: `${r.mode} ${r.size} worker peak RSS`, value: r.peaks.worker, unit: 'MB' }));
    series[`rss_${r.mode}_${r.size}`] = r.rss;
  }

  const services = results.filter((r) => r.mode === 'services');
  const small = services.find((r) => r.size === 20_000) ?? services[0];
  const large = services.find((r) => r.size === 200_000) ?? services[services.length - 1];
  if (small && large && large !== small) {
    for (const role of ['api', 'worker']) {
      const ratio = large.peaks[role] / small.peaks[role];
      rows.push(
        verdict({
          name: `${role} peak RSS ${large.size} / ${small.size}`,
          target: '≤ 1.2',
          value: ratio,
          unit: 'ratio',
          pass: ratio <= 1.2,
        }),
      );
    }
  }
  series.rss_by_size = {
    sizes: services.map((r) => r.size),
    api_peak_mb: services.map((r) => round(r.peaks.api)),
    worker_peak_mb: services.map((r) => round(r.peaks.worker)),
    tickets_per_s: services.map((r) => round(r.ticketsPerSecond)),
  };

  if (modes.includes('llm')) {
    console.error(`ingest with the OpenAI double: C=${llmConcurrency}, 1 s latency, ${llmTickets} tickets …`);
    const llm = await runLlm({ concurrency: llmConcurrency, latencyMs: 1_000, tickets: llmTickets });
    const target = 0.9 * llmConcurrency;
    rows.push(
      verdict({
        name: `summaries/s with the OpenAI double, steady state (C=${llmConcurrency}, L=1 s, ${llmTickets} tickets)`,
        target: `≥ ${round(target)} (0.9 × C/L)`,
        value: llm.steadyPerSecond,
        unit: 'summaries/s',
        pass: llm.steadyPerSecond >= target,
      }),
      info({
        name: 'OpenAI double: steady window (10th to 90th percentile of chat calls)',
        value: `${llm.window.calls} calls in ${round(llm.window.seconds)} s`,
        unit: '',
      }),
      info({
        name: 'OpenAI double: end to end, first PUT to last row indexed (ramp and tail included)',
        value: llm.endToEndPerSecond,
        unit: 'summaries/s',
      }),
      info({ name: 'OpenAI double: max requests in flight', value: llm.maxInFlight, unit: 'requests' }),
    );
    table.push({
      mode: `openai-double C=${llmConcurrency}`,
      tickets: llmTickets,
      'put s': '-',
      'end-to-end s': round(llm.seconds),
      'tickets/s': round(llm.endToEndPerSecond),
      'ingest job s': '-',
      'api peak MB': '-',
      'worker peak MB': '-',
      vectors: '-',
      failed: '-',
      'probe p99 / max ms': '-',
    });
  }

  console.log('\nruns');
  printTable(table);
  emitResult(
    {
      part: 'ingest',
      rows,
      series,
      notes: [
        'services: PostgreSQL + Redis + the schema-validated Qdrant double in its own child process; API and worker are separate processes',
        'summaries/s with the OpenAI double: steady state, between the 10th and 90th percentile of answered chat calls (sampled every 50 ms)',
        'tickets/s: first PUT to the last row indexed; the ingest job afterwards re-checks every row (all unchanged)',
        `/init bundle prefetch after indexing: ${arg('prefetch') === 'off' ? 'off (--prefetch=off)' : 'on (the default)'}`,
      ],
    },
    args,
  );
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

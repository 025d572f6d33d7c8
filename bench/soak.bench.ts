/**
 * npm run bench:soak [-- --quick | --minutes N] — the whole services stack under a steady mixed load while faults
 * rotate, then the books are checked. Everything runs on this machine on private ports (never the shared
 * 5432/6379): two API processes and two workers (dist/main.js, built here with `npx nest build`), a PostgreSQL
 * cluster of its own (initdb in a temp dir, so it can be restarted), a cache Redis, a queue Redis with AOF, the
 * Qdrant double and the OpenAI double (each behind a TCP proxy the bench can cut).
 *
 * Faults in rotation, each logged with its start and end: cache Redis killed 15 s; cache Redis frozen (SIGSTOP)
 * 45 s; queue Redis restarted; queue Redis frozen 30 s; a worker SIGKILLed (and started again); the LLM
 * unreachable 15 s; the LLM ten times slower 30 s; PostgreSQL restarted; the Qdrant double unreachable 15 s.
 *
 * Report: availability (2xx within the route's budget) overall, per route and per fault window; acknowledged
 * writes present with their content and indexed at the end; RSS, heap, open fds and event-loop lag per process
 * every 10 s with their slope after warm-up; Bull jobs stuck in `active`; recovery after each frozen Redis.
 *
 * Memory and fds are judged on what outlives the sawtooth: RSS swings by ~80 MiB as V8 and the allocator take
 * and give back memory (a cycle of minutes), and fds follow the load (pools open connections while a backlog
 * drains after a frozen Redis, and close them when idle). So the RSS slope is fitted to the peak of each
 * window of `ENVELOPE_MS` (a line through raw samples turns with wherever the run ends in the cycle; it is
 * shown beside it), and fd growth compares the median of the first minute after warm-up with the median of
 * the last minute, which no fault touches (no fault starts in the last `QUIET_TAIL_S`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import Redis from 'ioredis';
import {
  AppProcess,
  benchTickets,
  createCompany,
  freePort,
  ROOT,
  spawnApp,
  upsertTickets,
} from './lib/app-process';
import {
  atMost,
  BenchResult,
  BenchRow,
  emitResult,
  info,
  machineInfo,
  parseBenchArgs,
  verdict,
} from './lib/bench-output';
import { httpCall, HttpResponse, parseJson, sleep } from './lib/http-client';
import { PrivatePostgres, PrivateRedis } from './lib/private-services';
import { QdrantDoubleProcess, startQdrantDouble } from './lib/qdrant-double-process';
import { writeSoakSection } from './report/soak-section';
import { ChartSeries, renderLineChart } from './report/svg-chart';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';
import { mulberry32 } from '../test/support/seeded-random';
import { TcpProxy } from '../test/support/tcp-proxy';

const args = parseBenchArgs();
const minutesAt = process.argv.indexOf('--minutes');
const MINUTES = minutesAt >= 0 ? Number(process.argv[minutesAt + 1]) : args.quick ? 5 : 30;
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 10);
const WARMUP_S = args.quick ? 20 : 120;
const GAP_S = args.quick ? 8 : 60;
/** No fault starts this close to the end: the last minute shows the processes settled. */
const QUIET_TAIL_S = args.quick ? 60 : 150;
/** RSS peaks are taken per window of this length for the judged slope. */
const ENVELOPE_MS = args.quick ? 60_000 : 300_000;
const SAMPLE_EVERY_MS = 10_000;
const COMPANY = 'soak';
/** Recovery probes use a company of their own: the load's writes invalidate the main company's cache all the time. */
const PROBE_COMPANY = 'soak-probe';
const SEEDED = 200;
const QUEUE_PREFIX = 'soak';
const LLM_LATENCY_MS = 40;
const LLM_COMPLETION_MS = 200;
const BUDGET_MS: Record<string, number> = {
  'POST /search': 2_000,
  'POST /init': 2_000,
  'GET /tickets/{id}': 2_000,
  'PUT /tickets': 2_000,
  'DELETE /tickets/{id}': 2_000,
  'POST /query': 3_000,
  'POST /query (session)': 3_000,
  'POST /reply': 5_000,
  'POST /reply (SSE)': 5_000,
};
const SEARCHES = [
  'password reset link',
  'refund charged twice',
  'CSV export timeout',
  'parcel not moving',
  '배송 지연',
];
const QUESTIONS = ['How do I reset a password?', 'When is a refund paid?', 'Why does the export time out?'];

interface Sample {
  at: number;
  route: string;
  api: number;
  status: number;
  ms: number;
  ok: boolean;
  note?: string;
}

interface FaultWindow {
  name: string;
  start: number;
  end: number;
  recovery?: Record<string, number>;
}

interface ProcessSample {
  at: number;
  process: string;
  pid: number;
  rssMiB: number;
  fds: number;
  heapMiB?: number;
  externalMiB?: number;
  lagMs?: number;
}

interface Written {
  id: string;
  subject: string;
  description: string;
}

/** Undone in reverse order when the run fails half-way, so no server or process outlives the bench. */
const cleanups: Array<() => unknown> = [];

const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const reportFrom = process.argv.indexOf('--report-from');
  if (reportFrom >= 0) {
    // Re-renders the charts and BENCHMARKS.md section of an earlier run without running it again.
    const file = process.argv[reportFrom + 1];
    publishSoak(JSON.parse(readFileSync(file, 'utf8')) as BenchResult, file);
    return;
  }
  const load1Before = loadavg()[0];
  log(
    `building dist (npx nest build), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  // --no-build: reuse dist/ as it is (a re-run of the same code).
  if (!process.argv.includes('--no-build'))
    execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'inherit' });

  const pg = new PrivatePostgres(await freePort());
  const cacheRedis = new PrivateRedis(await freePort());
  const queueRedis = new PrivateRedis(await freePort(), { appendOnly: true });
  cleanups.push(() => pg.destroy());
  await pg.init();
  cleanups.push(() => cacheRedis.stop());
  await cacheRedis.start();
  cleanups.push(async () => {
    await queueRedis.stop();
    queueRedis.removeData();
  });
  await queueRedis.start();
  const llm = await FakeOpenAiServer.start({
    latencyMs: LLM_LATENCY_MS,
    completionMs: LLM_COMPLETION_MS,
    embeddingDimension: 64,
  });
  cleanups.push(() => llm.close());
  const llmProxy = await TcpProxy.start(hostPort(llm.url));
  cleanups.push(() => llmProxy.close());
  const qdrant: QdrantDoubleProcess = await startQdrantDouble();
  cleanups.push(() => qdrant.stop());
  const qdrantProxy = await TcpProxy.start(hostPort(qdrant.url));
  cleanups.push(() => qdrantProxy.close());
  const env: Record<string, string> = {
    DATABASE_URL: pg.url,
    REDIS_URL: `${cacheRedis.url}/0`,
    QUEUE_REDIS_URL: `${queueRedis.url}/0`,
    QUEUE_PREFIX,
    QDRANT_URL: qdrantProxy.rewrite(qdrant.url).replace(/\/$/, ''),
    OPENAI_BASE_URL: llmProxy.rewrite(llm.url).replace(/\/$/, ''),
    OPENAI_API_KEY: 'sk-soak',
    LLM_EMBEDDING_DIMENSION: '64',
    LOG_LEVEL: 'error',
    RECONCILE_INTERVAL_MS: '5000',
  };

  const processes = new Map<string, AppProcess>();
  cleanups.push(async () => {
    for (const app of processes.values()) await app.stop(10_000);
  });
  const metricsPorts = new Map<string, number>();
  const spawnRole = async (name: string, role: 'api' | 'worker') => {
    const port = await freePort();
    const metricsPort = await freePort();
    metricsPorts.set(name, metricsPort);
    const app = await spawnApp({
      entry: 'dist',
      port,
      env: { ...env, APP_ROLE: role, WORKER_PORT: String(port), METRICS_PORT: String(metricsPort) },
    });
    processes.set(name, app);
    return app;
  };
  const api = [await spawnRole('api-1', 'api'), await spawnRole('api-2', 'api')];
  await spawnRole('worker-1', 'worker');
  await spawnRole('worker-2', 'worker');
  log(
    `stack up: APIs on ${api.map((a) => a.port).join(', ')}, PostgreSQL ${pg.port}, cache Redis ${cacheRedis.port}, queue Redis ${queueRedis.port}`,
  );

  const key = await createCompany(api[0].port, COMPANY);
  await upsertTickets({ port: api[0].port, key, tickets: benchTickets({ count: SEEDED, prefix: 'S' }) });
  await until(async () => (await indexStates(pg)).indexed >= SEEDED, 180_000);
  const probeKey = await createCompany(api[0].port, PROBE_COMPANY);
  await upsertTickets({
    port: api[0].port,
    key: probeKey,
    tickets: benchTickets({ count: 20, prefix: 'P' }),
  });
  log(`seeded ${SEEDED} tickets, indexed`);

  // ---- steady open-loop load -------------------------------------------------------------------------------
  const samples: Sample[] = [];
  const acked = new Map<string, Written>();
  const deleted = new Set<string>();
  const ambiguous: string[] = [];
  const sessions: string[] = [];
  const random = mulberry32(42);
  const agents = api.map(() => new Agent({ keepAlive: true, maxSockets: 256 }));
  let written = 0;
  const pattern = [
    'search',
    'ticket',
    'init',
    'query',
    'search',
    'upsert',
    'ticket',
    'reply',
    'search',
    'query-session',
    'ticket',
    'search',
    'reply-sse',
    'upsert',
    'init',
    'query',
    'search',
    'ticket',
    'delete',
    'query-session',
  ] as const;
  const call = (
    i: number,
    input: { method: string; path: string; body?: unknown; sse?: boolean; key?: string },
  ): Promise<HttpResponse> =>
    httpCall({
      port: api[i % 2].port,
      method: input.method,
      path: input.path,
      key: input.key ?? key,
      body: input.body,
      agent: agents[i % 2],
      headers: input.sse ? { accept: 'text/event-stream' } : undefined,
      timeoutMs: 15_000,
    });
  const record = (i: number, route: string, at: number, res: HttpResponse, extraOk = true) => {
    const sseError =
      res.headers['content-type']?.includes('text/event-stream') && /event: error/.test(res.body);
    const ok = res.status >= 200 && res.status < 300 && res.ms <= BUDGET_MS[route] && extraOk && !sseError;
    samples.push({
      at,
      route,
      api: i % 2,
      status: res.status,
      ms: Math.round(res.ms),
      ok,
      ...(ok ? {} : { note: res.body.slice(0, 160) }),
    });
  };
  const one = async (i: number): Promise<void> => {
    const op = pattern[i % pattern.length];
    const at = Date.now();
    const seededId = `S-${Math.floor(random() * SEEDED)}`;
    switch (op) {
      case 'search': {
        const res = await call(i, {
          method: 'POST',
          path: '/api/v1/search',
          body: { query: SEARCHES[i % SEARCHES.length], limit: 5 },
        });
        return record(i, 'POST /search', at, res);
      }
      case 'ticket': {
        const res = await call(i, { method: 'GET', path: `/api/v1/tickets/${seededId}` });
        return record(i, 'GET /tickets/{id}', at, res);
      }
      case 'init': {
        const res = await call(i, { method: 'POST', path: '/api/v1/init', body: { ticket_id: seededId } });
        const session = parseJson<{ session_id?: string }>(res.body)?.session_id;
        if (res.status === 200 && session) {
          sessions.push(session);
          if (sessions.length > 50) sessions.shift();
        }
        return record(i, 'POST /init', at, res);
      }
      case 'query': {
        const res = await call(i, {
          method: 'POST',
          path: '/api/v1/query',
          body: { query: QUESTIONS[i % QUESTIONS.length] },
        });
        return record(i, 'POST /query', at, res);
      }
      case 'query-session': {
        const session = sessions[Math.floor(random() * sessions.length)];
        const body = { query: QUESTIONS[i % QUESTIONS.length], ...(session ? { session_id: session } : {}) };
        const res = await call(i, { method: 'POST', path: '/api/v1/query', body });
        return record(i, 'POST /query (session)', at, res);
      }
      case 'reply': {
        const res = await call(i, { method: 'POST', path: '/api/v1/reply', body: { ticket_id: seededId } });
        return record(i, 'POST /reply', at, res);
      }
      case 'reply-sse': {
        const res = await call(i, {
          method: 'POST',
          path: '/api/v1/reply',
          body: { ticket_id: seededId },
          sse: true,
        });
        return record(i, 'POST /reply (SSE)', at, res);
      }
      case 'upsert': {
        const n = written++;
        const ticket = benchTickets({ count: 1, offset: n, prefix: 'W' })[0];
        ticket.description = `${ticket.description} Soak write ${n} at ${at}.`;
        const res = await call(i, { method: 'PUT', path: '/api/v1/tickets', body: { tickets: [ticket] } });
        if (res.status === 200)
          acked.set(ticket.ticket_id, {
            id: ticket.ticket_id,
            subject: ticket.subject,
            description: ticket.description,
          });
        return record(i, 'PUT /tickets', at, res);
      }
      case 'delete': {
        const victim = [...acked.keys()].find((id) => !deleted.has(id));
        if (!victim) return;
        deleted.add(victim);
        const res = await call(i, { method: 'DELETE', path: `/api/v1/tickets/${victim}` });
        if (res.status !== 200 && res.status !== 204) ambiguous.push(victim);
        return record(i, 'DELETE /tickets/{id}', at, res);
      }
    }
  };

  let running = true;
  const loadStartedAt = Date.now();
  const pending = new Set<Promise<void>>();
  const loadLoop = (async () => {
    const t0 = performance.now();
    for (let i = 0; running; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 1) await sleep(wait);
      const p = one(i).finally(() => pending.delete(p));
      pending.add(p);
    }
  })();

  // ---- process samples every 10 s ----------------------------------------------------------------------------
  const processSamples: ProcessSample[] = [];
  const sampler = setInterval(() => {
    void (async () => {
      for (const [name, app] of processes) {
        const pid = app.child.pid;
        if (!pid || app.child.exitCode !== null || app.child.signalCode !== null) continue;
        // A process killed by a fault but not yet reaped reads as gone: no sample rather than a zero.
        if (!Number.isFinite(rssMiB(pid))) continue;
        const sample: ProcessSample = {
          at: Date.now(),
          process: name,
          pid,
          rssMiB: rssMiB(pid),
          fds: openFds(pid),
        };
        const metrics = await httpCall({
          port: metricsPorts.get(name)!,
          method: 'GET',
          path: '/metrics',
          timeoutMs: 3_000,
        });
        if (metrics.status === 200) {
          sample.heapMiB = metric(metrics.body, 'nodejs_heap_size_used_bytes') / 2 ** 20;
          sample.externalMiB = metric(metrics.body, 'nodejs_external_memory_bytes') / 2 ** 20;
          sample.lagMs = metric(metrics.body, 'nodejs_eventloop_lag_seconds') * 1000;
        }
        processSamples.push(sample);
      }
    })();
  }, SAMPLE_EVERY_MS);

  // ---- faults in rotation ------------------------------------------------------------------------------------
  const faults: FaultWindow[] = [];
  const endAt = loadStartedAt + MINUTES * 60_000;
  const probeSearch = async (): Promise<number> => {
    const from = Date.now();
    const ok = await until(
      async () => {
        const res = await call(0, {
          method: 'POST',
          path: '/api/v1/search',
          body: { query: 'soak recovery probe', limit: 3 },
          key: probeKey,
        });
        return res.headers['x-cache'] === 'HIT';
      },
      60_000,
      200,
    );
    return ok ? Date.now() - from : Number.NaN;
  };
  let probes = 0;
  const probeWorkers = async (): Promise<number> => {
    const from = Date.now();
    const ticket = benchTickets({ count: 1, offset: probes++, prefix: 'PROBE' })[0];
    const put = await until(
      async () =>
        (
          await call(1, {
            method: 'PUT',
            path: '/api/v1/tickets',
            body: { tickets: [ticket] },
            key: probeKey,
          })
        ).status === 200,
      30_000,
      200,
    );
    if (!put) return Number.NaN;
    const indexed = await until(
      async () =>
        (await ticketStates(pg, [ticket.ticket_id], PROBE_COMPANY)).get(ticket.ticket_id) === 'indexed',
      60_000,
      200,
    );
    return indexed ? Date.now() - from : Number.NaN;
  };
  const restartWorker = async (name: string) => {
    processes.get(name)!.kill('SIGKILL');
    await sleep(2_000);
    await spawnRole(name, 'worker');
  };
  const rotation: Array<{ name: string; run: () => Promise<Record<string, number> | void> }> = [
    {
      name: 'cache Redis killed 15 s',
      run: async () => {
        await cacheRedis.stop();
        await sleep(15_000);
        await cacheRedis.start();
      },
    },
    {
      name: 'cache Redis frozen 45 s',
      run: async () => {
        cacheRedis.freeze();
        await sleep(45_000);
        cacheRedis.thaw();
        const [cacheMs, workerMs] = await Promise.all([probeSearch(), probeWorkers()]);
        return { cacheMs, workerMs };
      },
    },
    {
      name: 'queue Redis restarted',
      run: async () => {
        await queueRedis.stop('SIGTERM');
        await queueRedis.start();
        return { workerMs: await probeWorkers() };
      },
    },
    {
      name: 'queue Redis frozen 30 s',
      run: async () => {
        queueRedis.freeze();
        await sleep(30_000);
        queueRedis.thaw();
        return { workerMs: await probeWorkers() };
      },
    },
    { name: 'worker SIGKILLed', run: () => restartWorker(faults.length % 2 === 0 ? 'worker-1' : 'worker-2') },
    {
      name: 'LLM unreachable 15 s',
      run: async () => {
        llmProxy.cut();
        await sleep(15_000);
        llmProxy.resume();
      },
    },
    {
      name: 'LLM 10x slower 30 s',
      run: async () => {
        llm.configure({ latencyMs: LLM_LATENCY_MS * 10, completionMs: LLM_COMPLETION_MS * 10 });
        await sleep(30_000);
        llm.configure({ latencyMs: LLM_LATENCY_MS, completionMs: LLM_COMPLETION_MS });
      },
    },
    {
      name: 'PostgreSQL restarted',
      run: async () => {
        pg.stop();
        await sleep(2_000);
        await pg.start();
      },
    },
    {
      name: 'Qdrant double unreachable 15 s',
      run: async () => {
        qdrantProxy.cut();
        await sleep(15_000);
        qdrantProxy.resume();
      },
    },
  ];
  await sleep(WARMUP_S * 1000);
  const warmEnd = Date.now();
  for (let f = 0; Date.now() < endAt - QUIET_TAIL_S * 1000; f++) {
    const fault = rotation[f % rotation.length];
    const window: FaultWindow = { name: fault.name, start: Date.now(), end: 0 };
    log(`fault start: ${fault.name}`);
    const recovery = await fault.run();
    window.end = Date.now();
    if (recovery) window.recovery = recovery;
    faults.push(window);
    log(
      `fault end: ${fault.name} (${((window.end - window.start) / 1000).toFixed(1)} s)${recovery ? ' ' + JSON.stringify(recovery) : ''}`,
    );
    await sleep(Math.min(GAP_S * 1000, Math.max(0, endAt - QUIET_TAIL_S * 1000 - Date.now())));
  }
  while (Date.now() < endAt) await sleep(500);
  running = false;
  await loadLoop;
  await Promise.all([...pending]);
  clearInterval(sampler);
  const loadEnd = Date.now();
  log(`load stopped: ${samples.length} requests; checking writes`);

  // ---- the books -----------------------------------------------------------------------------------------------
  const expected = [...acked.values()].filter((w) => !deleted.has(w.id));
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const w of expected) {
    const res = await httpCall({
      port: api[0].port,
      method: 'GET',
      path: `/api/v1/tickets/${w.id}`,
      key,
      timeoutMs: 10_000,
    });
    const body = parseJson<{ subject?: string; description?: string }>(res.body);
    if (res.status === 404) missing.push(w.id);
    else if (res.status !== 200 || body?.subject !== w.subject || body?.description !== w.description)
      wrong.push(`${w.id}: ${res.status}`);
  }
  const deletedStillThere: string[] = [];
  for (const id of deleted) {
    if (ambiguous.includes(id)) continue;
    const res = await httpCall({
      port: api[0].port,
      method: 'GET',
      path: `/api/v1/tickets/${id}`,
      key,
      timeoutMs: 10_000,
    });
    if (res.status !== 404) deletedStillThere.push(id);
  }
  const notIndexed = async () => {
    const states = await ticketStates(
      pg,
      expected.map((w) => w.id),
    );
    return expected
      .filter((w) => states.get(w.id) !== 'indexed')
      .map((w) => `${w.id}: ${states.get(w.id) ?? 'absent'}`);
  };
  await until(async () => (await notIndexed()).length === 0, 120_000, 1_000);
  const unindexed = await notIndexed();
  await until(async () => (await activeJobs(queueRedis)) === 0, 60_000, 1_000);
  const stuck = await activeJobs(queueRedis);

  // ---- report --------------------------------------------------------------------------------------------------
  const availability = (list: Sample[]) =>
    list.length === 0 ? Number.NaN : (100 * list.filter((s) => s.ok).length) / list.length;
  const routes = [...new Set(samples.map((s) => s.route))].sort();
  const maxMs = Math.max(...samples.map((s) => (s.status === 0 ? 15_000 : s.ms)));
  const overSlow = samples.filter((s) => s.ms > 5_000 || s.status === 0).length;
  const sessionless = samples.filter((s) => s.route !== 'POST /query (session)');
  const processNames = [...new Set(processSamples.map((p) => `${p.process}#${p.pid}`))];
  const slopes = processNames.map((name) => {
    const list = processSamples.filter((p) => `${p.process}#${p.pid}` === name && p.at >= warmEnd);
    return {
      process: name,
      samples: list.length,
      rssPeakSlopeMiBPerHour: slopePerHour(windowPeaks(list, (p) => p.rssMiB)),
      rssPeaks: windowPeaks(list, (p) => p.rssMiB).length,
      rssSlopeMiBPerHour: slopePerHour(list.map((p) => [p.at, p.rssMiB])),
      heapPeakSlopeMiBPerHour: slopePerHour(windowPeaks(list, (p) => p.heapMiB)),
      externalPeakSlopeMiBPerHour: slopePerHour(windowPeaks(list, (p) => p.externalMiB)),
      fdsFirst: median(list.slice(0, 6).map((p) => p.fds)),
      fdsLast: median(list.slice(-6).map((p) => p.fds)),
      fdsMax: Math.max(...list.map((p) => p.fds)),
      rssLastMiB: list.at(-1)?.rssMiB ?? Number.NaN,
      lagMaxMs: Math.max(...list.map((p) => p.lagMs ?? 0)),
    };
  });
  // A process restarted by a fault has too short a series for a slope: only series with peaks of ≥ 3 windows
  // (15 minutes in the full run) are judged.
  const judged = slopes.filter((s) => s.rssPeaks >= 3);
  const worstRssSlope = Math.max(...judged.map((s) => s.rssPeakSlopeMiBPerHour));
  const worstFdGrowth = Math.max(...judged.map((s) => s.fdsLast - s.fdsFirst));
  const recoveries = (k: string, of: string) =>
    faults.filter((f) => f.name.startsWith(of)).map((f) => f.recovery?.[k] ?? Number.NaN);
  const cacheRec = recoveries('cacheMs', 'cache Redis frozen');
  const workerRecFrozen = [
    ...recoveries('workerMs', 'cache Redis frozen'),
    ...recoveries('workerMs', 'queue Redis frozen'),
  ];
  const worst = (list: number[]) =>
    list.length === 0
      ? Number.NaN
      : list.some((v) => Number.isNaN(v))
        ? Number.POSITIVE_INFINITY
        : Math.max(...list);
  const load1After = loadavg()[0];

  const rows: BenchRow[] = [
    verdict({
      name: 'availability, all requests',
      target: '≥ 99.9 %',
      value: availability(samples),
      unit: '%',
      pass: availability(samples) >= 99.9,
    }),
    info({ name: 'availability without session-bound /query', value: availability(sessionless), unit: '%' }),
    info({
      name: `availability after the ${WARMUP_S} s warm-up`,
      value: availability(samples.filter((s) => s.at >= warmEnd)),
      unit: '%',
    }),
    ...routes.map((route) =>
      info({
        name: `availability ${route} (budget ${BUDGET_MS[route]} ms)`,
        value: availability(samples.filter((s) => s.route === route)),
        unit: '%',
      }),
    ),
    ...faults.map((f) =>
      info({
        name: `availability during ${f.name} @${Math.round((f.start - loadStartedAt) / 1000)} s (+5 s)`,
        value: availability(samples.filter((s) => s.at >= f.start && s.at <= f.end + 5_000)),
        unit: '%',
      }),
    ),
    verdict({
      name: 'requests over 5 s or unanswered',
      target: '0',
      value: overSlow,
      unit: 'requests',
      pass: overSlow === 0,
    }),
    info({ name: 'slowest request', value: maxMs, unit: 'ms' }),
    verdict({
      name: 'acknowledged writes lost or wrong',
      target: '0',
      value: missing.length + wrong.length,
      unit: 'writes',
      pass: missing.length + wrong.length === 0,
    }),
    info({ name: 'acknowledged writes checked', value: expected.length, unit: 'writes' }),
    verdict({
      name: 'acknowledged writes not indexed 120 s after the load',
      target: '0',
      value: unindexed.length,
      unit: 'writes',
      pass: unindexed.length === 0,
    }),
    verdict({
      name: 'acknowledged deletes still readable',
      target: '0',
      value: deletedStillThere.length,
      unit: 'tickets',
      pass: deletedStillThere.length === 0,
    }),
    verdict({
      name: 'Bull jobs stuck in active',
      target: '0',
      value: stuck,
      unit: 'jobs',
      pass: stuck === 0,
    }),
    atMost({
      name: 'cache serves hits again after the frozen cache Redis resumes (worst)',
      value: worst(cacheRec),
      limit: 5_000,
      unit: 'ms',
    }),
    atMost({
      name: 'workers index a new write after a frozen Redis resumes (worst)',
      value: worst(workerRecFrozen),
      limit: 10_000,
      unit: 'ms',
    }),
    atMost({
      name: `RSS slope after warm-up (peak of each ${ENVELOPE_MS / 60_000} min), worst process`,
      value: worstRssSlope,
      limit: 10,
      unit: 'MiB/h',
    }),
    atMost({
      name: 'open fds growth after warm-up (median of the first minute → of the last, fault-free minute), worst process',
      value: worstFdGrowth,
      limit: 5,
      unit: 'fds',
    }),
    info({
      name: 'load average (1 min) before / after',
      value: `${load1Before.toFixed(2)} / ${load1After.toFixed(2)}`,
      unit: '',
    }),
  ];
  const failuresByRoute = Object.fromEntries(
    routes.map((route) => {
      const failed = samples.filter((s) => s.route === route && !s.ok);
      const byStatus: Record<string, number> = {};
      for (const s of failed) {
        const k =
          s.status === 0
            ? 'no answer'
            : s.status >= 200 && s.status < 300
              ? `${s.status} over budget`
              : String(s.status);
        byStatus[k] = (byStatus[k] ?? 0) + 1;
      }
      return [route, byStatus];
    }),
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const jsonFile = args.json ?? `${ROOT}/bench/results/soak-${stamp}.json`;
  const result: BenchResult = {
    part: `soak (${MINUTES} min, ${RATE} req/s, 2 API + 2 worker processes)`,
    machine: machineInfo(),
    rows,
    series: {
      minutes: MINUTES,
      rate: RATE,
      loadAverage: { before: load1Before, after: load1After },
      requests: samples.length,
      faults: faults.map((f) => ({
        ...f,
        startS: (f.start - loadStartedAt) / 1000,
        endS: (f.end - loadStartedAt) / 1000,
      })),
      failuresByRoute,
      failures: samples.filter((s) => !s.ok),
      perTenSeconds: perBucket(samples, loadStartedAt, 10_000),
      processes: slopes,
      processSamples,
      writes: {
        acknowledged: acked.size,
        deleted: deleted.size,
        ambiguousDeletes: ambiguous,
        missing,
        wrong,
        unindexed,
        deletedStillThere,
      },
      loadEndS: (loadEnd - loadStartedAt) / 1000,
    },
    notes: [
      'Private PostgreSQL, Redis x2, Qdrant and OpenAI doubles on this machine; the app is dist/main.js (APP_ROLE=api x2, worker x2).',
      'A request counts as available when it answered 2xx within its route budget (SSE: without an error event).',
      'Fault windows count requests started from the fault start to 5 s after its end.',
    ],
  };
  emitResult(result, { ...args, json: jsonFile });
  publishSoak(result, jsonFile);

  await cleanUp();
}

/** Charts under bench/results/charts and the soak section of BENCHMARKS.md, from one run's result. */
function publishSoak(result: BenchResult, jsonFile: string): void {
  const series = result.series as unknown as SoakSeries;
  const name = basename(jsonFile, '.json');
  const chartDir = join(ROOT, 'bench', 'results', 'charts');
  mkdirSync(chartDir, { recursive: true });
  const charts: Array<[string, string]> = [
    [
      `${name}-availability.svg`,
      renderLineChart({
        title: 'Requests per 10 s: answered 2xx within budget vs all',
        xLabel: 's since load start',
        yLabel: 'requests',
        series: [
          { name: 'all', points: series.perTenSeconds.map((b) => [b.s, b.n]) },
          { name: 'within budget', points: series.perTenSeconds.map((b) => [b.s, b.ok]) },
        ],
      }),
    ],
    [
      `${name}-p99.svg`,
      renderLineChart({
        title: 'p99 latency per 10 s',
        xLabel: 's since load start',
        yLabel: 'ms',
        series: [{ name: 'p99', points: series.perTenSeconds.map((b) => [b.s, b.p99Ms]) }],
      }),
    ],
    [
      `${name}-rss.svg`,
      renderLineChart({
        title: 'RSS per process',
        xLabel: 's since load start',
        yLabel: 'MiB',
        series: processSeries(series, (p) => p.rssMiB),
      }),
    ],
    [
      `${name}-fds.svg`,
      renderLineChart({
        title: 'Open file descriptors per process',
        xLabel: 's since load start',
        yLabel: 'fds',
        series: processSeries(series, (p) => p.fds),
      }),
    ],
  ];
  for (const [file, svg] of charts) writeFileSync(join(chartDir, file), svg);
  const rel = relative(ROOT, jsonFile);
  const cell = (v: number | string) => (typeof v === 'number' ? String(v) : v);
  const lines = [
    `## Soak: ${series.minutes} minutes under rotating faults`,
    '',
    `Generated by \`npm run bench:soak${series.minutes === 5 ? ' -- --quick' : ` -- --minutes ${series.minutes}`}\` ` +
      `on ${result.machine?.cores ?? '?'} cores (${result.machine?.node ?? ''}); raw results: [${rel}](${rel}). ` +
      `Load average (1 min) ${series.loadAverage.before.toFixed(2)} before and ${series.loadAverage.after.toFixed(2)} after ` +
      `(the machine is shared: other processes used the cores). ${series.rate} requests/s open-loop, ${series.requests} requests.`,
    '',
    '| measure | target | value | unit | pass |',
    '| --- | --- | --- | --- | --- |',
    ...result.rows.map(
      (r) =>
        `| ${r.name} | ${r.target ?? '-'} | ${cell(r.value)} | ${r.unit} | ${r.pass === null ? '-' : r.pass ? 'PASS' : '**FAIL**'} |`,
    ),
    '',
    '**Faults** (seconds since the load started; recovery in ms):',
    '',
    '| fault | start | end | recovery |',
    '| --- | --- | --- | --- |',
    ...series.faults.map(
      (f) =>
        `| ${f.name} | ${f.startS.toFixed(0)} | ${f.endS.toFixed(0)} | ${f.recovery ? JSON.stringify(f.recovery) : '-'} |`,
    ),
    '',
    '**Failed requests by route** (status, or "over budget" for a 2xx too slow):',
    '',
    '| route | failures |',
    '| --- | --- |',
    ...Object.entries(series.failuresByRoute).map(
      ([route, byStatus]) =>
        `| ${route} | ${
          Object.entries(byStatus)
            .map(([k, n]) => `${k}: ${n}`)
            .join(', ') || 'none'
        } |`,
    ),
    '',
    '**Processes after warm-up** (a process restarted by a fault starts a new series):',
    '',
    `| process | samples | RSS peak slope MiB/h (windows) | RSS slope through all samples MiB/h | heap / external peak slope MiB/h | RSS last MiB | fds first → last minute (max) | event-loop lag max ms |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...series.processes.map(
      (p) =>
        `| ${p.process} | ${p.samples} | ${p.rssPeakSlopeMiBPerHour.toFixed(1)} (${p.rssPeaks}) | ${p.rssSlopeMiBPerHour.toFixed(1)} | ` +
        `${p.heapPeakSlopeMiBPerHour.toFixed(1)} / ${p.externalPeakSlopeMiBPerHour.toFixed(1)} | ` +
        `${p.rssLastMiB.toFixed(0)} | ${p.fdsFirst} → ${p.fdsLast} (${p.fdsMax}) | ${p.lagMaxMs.toFixed(0)} |`,
    ),
    '',
    ...charts.map(([file]) => `![${file}](bench/results/charts/${file})`),
  ];
  writeSoakSection(join(ROOT, 'BENCHMARKS.md'), lines.join('\n'));
  log(`wrote ${rel}, charts and the soak section of BENCHMARKS.md`);
}

function processSeries(series: SoakSeries, value: (p: ProcessSample) => number): ChartSeries[] {
  const t0 = series.processSamples[0]?.at ?? 0;
  const names = [...new Set(series.processSamples.map((p) => `${p.process}#${p.pid}`))];
  return names.map((name) => ({
    name,
    points: series.processSamples
      .filter((p) => `${p.process}#${p.pid}` === name)
      .map((p): [number, number] => [(p.at - t0) / 1000, value(p)]),
  }));
}

interface SoakSeries {
  minutes: number;
  rate: number;
  requests: number;
  loadAverage: { before: number; after: number };
  faults: Array<FaultWindow & { startS: number; endS: number }>;
  failuresByRoute: Record<string, Record<string, number>>;
  perTenSeconds: Array<{ s: number; n: number; ok: number; p99Ms: number }>;
  processes: Array<{
    process: string;
    samples: number;
    rssPeakSlopeMiBPerHour: number;
    rssPeaks: number;
    rssSlopeMiBPerHour: number;
    heapPeakSlopeMiBPerHour: number;
    externalPeakSlopeMiBPerHour: number;
    rssLastMiB: number;
    fdsFirst: number;
    fdsLast: number;
    fdsMax: number;
    lagMaxMs: number;
  }>;
  processSamples: ProcessSample[];
}

async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`cleanup: ${String(error)}`);
    }
  }
}

function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(everyMs);
  }
  return false;
}

async function indexStates(pg: PrivatePostgres): Promise<Record<string, number>> {
  const rows = await pg.query<{ index_state: string; n: string }>(
    'SELECT index_state, count(*) AS n FROM ticket WHERE company_id = $1 GROUP BY index_state',
    [COMPANY],
  );
  return Object.fromEntries(rows.map((r) => [r.index_state, Number(r.n)]));
}

async function ticketStates(
  pg: PrivatePostgres,
  ids: string[],
  company = COMPANY,
): Promise<Map<string, string>> {
  const rows = await pg.query<{ ticket_id: string; index_state: string }>(
    'SELECT ticket_id, index_state FROM ticket WHERE company_id = $1 AND ticket_id = ANY($2)',
    [company, ids],
  );
  return new Map(rows.map((r) => [r.ticket_id, r.index_state]));
}

async function activeJobs(redis: PrivateRedis): Promise<number> {
  const client = new Redis(`${redis.url}/0`, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    return await client.llen(`${QUEUE_PREFIX}:ingest:active`);
  } finally {
    client.disconnect();
  }
}

function rssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.trim().split(/\s+/).at(-1)) : Number.NaN;
}

/** Least-squares slope of [ms, value] points, per hour. */
/** The highest value of each ENVELOPE_MS window (from the series' first sample), at its time; full windows only. */
function windowPeaks(
  list: ProcessSample[],
  value: (p: ProcessSample) => number | undefined,
): Array<[number, number]> {
  if (list.length === 0) return [];
  const start = list[0].at;
  const windows = Math.floor((list.at(-1)!.at - start) / ENVELOPE_MS);
  const peaks: Array<[number, number]> = [];
  for (let w = 0; w < windows; w++) {
    let best: [number, number] | undefined;
    for (const p of list) {
      const v = value(p);
      if (
        v === undefined ||
        !Number.isFinite(v) ||
        p.at < start + w * ENVELOPE_MS ||
        p.at >= start + (w + 1) * ENVELOPE_MS
      )
        continue;
      if (!best || v > best[1]) best = [p.at, v];
    }
    if (best) peaks.push(best);
  }
  return peaks;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function slopePerHour(points: Array<[number, number]>): number {
  const valid = points.filter(([, v]) => Number.isFinite(v));
  if (valid.length < 2) return Number.NaN;
  const n = valid.length;
  const mx = valid.reduce((s, [x]) => s + x, 0) / n;
  const my = valid.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = valid.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = valid.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : (sxy / sxx) * 3_600_000;
}

function perBucket(
  samples: Sample[],
  t0: number,
  size: number,
): Array<{ s: number; n: number; ok: number; p99Ms: number }> {
  const buckets = new Map<number, Sample[]>();
  for (const s of samples) {
    const b = Math.floor((s.at - t0) / size);
    buckets.set(b, [...(buckets.get(b) ?? []), s]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([b, list]) => {
      const sorted = list.map((s) => s.ms).sort((x, y) => x - y);
      return {
        s: (b * size) / 1000,
        n: list.length,
        ok: list.filter((s) => s.ok).length,
        p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
      };
    });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().then(() => process.exit(130)));
}

main().catch(async (error: unknown) => {
  console.error(error);
  await cleanUp();
  process.exit(1);
});

/**
 * npm run bench:cache [-- --quick] [-- --json <file>]
 *
 * Cached `POST /api/v1/search` through the whole app (services mode: a private PostgreSQL and Redis, local
 * models, a company with indexed tickets) against a bare Fastify + ioredis server that does the same Redis GET
 * and returns the same JSON, both on this machine in one run, each in its own process, with the same load
 * generator (wrk, keep-alive connections). Reports both throughputs, their ratio (target ≥ 1.2: hot entries are
 * answered from the in-process near cache) and the hit
 * latency p50/p99, unloaded (one connection) and under load.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import Redis from 'ioredis';
import {
  benchAppEnv,
  benchTickets,
  BENCH_ADMIN_KEY,
  createCompany,
  freePort,
  ROOT,
  spawnApp,
  AppProcess,
  upsertTickets,
  waitReady,
} from './lib/app-process';
import { BenchRow, emitResult, info, parseBenchArgs, round, verdict } from './lib/bench-output';
import { httpCall, parseJson, sleep } from './lib/http-client';
import { startPrivateStack, PrivateStack } from './lib/private-services';
import { runWrk, wrkErrorCount, WrkRequest, WrkResult } from './lib/wrk';

const BARE_KEY = 'bench-cache:search';
const CLOCK_TICKS_PER_S = 100;

/**
 * A child's CPU milliseconds so far (user + system, what its process.cpuUsage reports), from /proc: the cost
 * per request survives a machine shared with other loads, where throughput does not.
 */
function cpuMsOf(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** Child role: the bare server. GETs the stored answer per request and sends it as JSON. */
async function serveBare(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const redis = new Redis(process.env.BARE_REDIS_URL as string, {
    enableOfflineQueue: false,
    commandTimeout: 250,
  });
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const app = Fastify({ logger: false });
  app.post('/api/v1/search', async (_request, reply) => {
    const cached = await redis.get(BARE_KEY);
    reply.header('content-type', 'application/json; charset=utf-8').header('x-cache', 'HIT');
    return cached;
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  await app.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' });
  process.once(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => redis.quit())
        .then(() => process.exit(0)),
  );
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const seconds = Number(process.env.BENCH_SECONDS ?? (args.quick ? 3 : 10));
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const stack: PrivateStack = await startPrivateStack(freePort);
  let app: AppProcess | undefined;
  let bare: ReturnType<typeof spawn> | undefined;
  const redis = new Redis(`${stack.redis.url}/2`);
  try {
    // BENCH_APP_NODE_OPTIONS="--require <repo>/bench/lib/cpu-profile.js" with BENCH_APP_ENV=PROFILE_DIR=/tmp/prof
    // profiles the app (its whole run; NODE_OPTIONS refuses --cpu-prof).
    const nodeOptions = process.env.BENCH_APP_NODE_OPTIONS;
    // BENCH_APP_ENV (e.g. `CACHE_NEAR_MAX_ENTRIES=0`, comma-separated): the same run with other settings.
    const extra = benchAppEnv();
    app = await spawnApp({
      env: {
        ...stack.env,
        LOG_LEVEL: 'error',
        ...extra,
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
    });
    const port = app.port;
    const key = await createCompany(port, 'bench-cache');
    await upsertTickets({ port, key, tickets: benchTickets({ count: 200 }) });
    const body = { query: 'the password reset link expired', limit: 5 };
    const search = (headers: Record<string, string> = {}) =>
      httpCall({ port, method: 'POST', path: '/api/v1/search', key, body, headers });
    // Indexed: the search finds tickets (no-store so the wait itself caches nothing).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await search({ 'cache-control': 'no-store' });
      const found = parseJson<{ results?: unknown[] }>(res.body)?.results?.length ?? 0;
      if (res.status === 200 && found >= 5) break;
      if (Date.now() > deadline)
        throw new Error(`tickets not searchable in time: ${res.status} ${res.body.slice(0, 300)}`);
      await sleep(500);
    }
    // Every indexed chunk bumps the search generation: measure only once indexing has finished.
    await waitQueueIdle(port, deadline);
    await sleep(1_000);
    // A late index write (the reconciler, a last chunk) still bumps the generation: retry until two reads agree.
    let hit = await search();
    for (let tries = 0; hit.headers['x-cache'] !== 'HIT'; tries += 1) {
      if (tries > 60) throw new Error(`no cache HIT after ${tries} tries: ${String(hit.headers['x-cache'])}`);
      await sleep(500);
      hit = await search();
    }

    // The bare server answers the app's exact cached response body from the same Redis.
    await redis.set(BARE_KEY, hit.body);
    const barePort = await freePort();
    bare = spawn(
      process.execPath,
      ['--require', './bench/swc-register.js', 'bench/cache.bench.ts', '--bare'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, BARE_PORT: String(barePort), BARE_REDIS_URL: `${stack.redis.url}/2` },
        stdio: 'ignore',
      },
    );
    await waitReady({ port: barePort, child: bare });
    const bareCheck = await httpCall({ port: barePort, method: 'POST', path: '/api/v1/search', body });
    if (bareCheck.body !== hit.body) {
      throw new Error(
        `the bare server does not return the app’s cached JSON: ${bareCheck.status} ${bareCheck.body.slice(0, 200)} vs ${hit.body.slice(0, 200)}`,
      );
    }

    const request: WrkRequest = {
      method: 'POST',
      path: '/api/v1/search',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    };
    const load = (target: number, c: number, durationS: number): Promise<WrkResult> =>
      runWrk({
        url: `http://127.0.0.1:${target}`,
        connections: c,
        threads: 1,
        durationS,
        timeoutS: 5,
        requests: [request],
      });

    const loadBefore = os.loadavg()[0];
    const statsBefore = await vectorHits(port);
    const appWarm = await load(port, connections, 1); // warm-up (JIT, pools)
    await load(barePort, connections, 1);
    const appCpu = cpuMsOf(app.child.pid);
    const appLoaded = await load(port, connections, seconds);
    const appCpuMs = cpuMsOf(app.child.pid) - appCpu;
    const bareCpu = cpuMsOf(bare.pid);
    const bareLoaded = await load(barePort, connections, seconds);
    const bareCpuMs = cpuMsOf(bare.pid) - bareCpu;
    const appSingle = await load(port, 1, Math.max(2, Math.round(seconds / 2)));
    // The framework's floor on this machine: the app's public liveness route (no auth, no rate limit, no cache).
    const floor = await runWrk({
      url: `http://127.0.0.1:${port}`,
      connections,
      threads: 1,
      durationS: seconds,
      timeoutS: 5,
      requests: [{ method: 'GET', path: '/health/live', headers: {} }],
    });
    await sleep(1_500); // cache stats are flushed to Redis every second
    const hits = (await vectorHits(port)) - statsBefore;
    const appRequests = appWarm.requests + appLoaded.requests + appSingle.requests;

    const ratio = appLoaded.requestsPerSecond / bareLoaded.requestsPerSecond;
    const rows: BenchRow[] = [
      info({
        name: `app: cached POST /api/v1/search, ${connections} connections`,
        value: appLoaded.requestsPerSecond,
        unit: 'req/s',
      }),
      info({
        name: `bare Fastify + ioredis GET, ${connections} connections`,
        value: bareLoaded.requestsPerSecond,
        unit: 'req/s',
      }),
      verdict({
        name: 'app / bare throughput',
        target: '≥ 1.2',
        value: ratio,
        unit: '×',
        pass: ratio >= 1.2,
      }),
      verdict({
        name: `app / bare hit latency p99, ${connections} connections`,
        target: '≤ 1',
        value: appLoaded.latencyMs.p99 / bareLoaded.latencyMs.p99,
        unit: '×',
        pass: appLoaded.latencyMs.p99 <= bareLoaded.latencyMs.p99,
      }),
      info({
        name: `CPU per request, app / bare (user + system, ${connections} connections)`,
        value: `${round((appCpuMs * 1000) / appLoaded.requests)} / ${round((bareCpuMs * 1000) / bareLoaded.requests)}`,
        unit: 'µs',
      }),
      info({
        name: 'load average (1 min) at start / end of the measured runs',
        value: `${loadBefore.toFixed(2)} / ${os.loadavg()[0].toFixed(2)}`,
        unit: '',
      }),
      info({
        name: `app GET /health/live (Nest floor: no auth, no cache) / bare`,
        value: floor.requestsPerSecond / bareLoaded.requestsPerSecond,
        unit: '×',
      }),
      info({ name: 'hit latency p50, 1 connection', value: appSingle.latencyMs.p50, unit: 'ms' }),
      info({ name: 'hit latency p99, 1 connection', value: appSingle.latencyMs.p99, unit: 'ms' }),
      info({
        name: `hit latency p50, ${connections} connections`,
        value: appLoaded.latencyMs.p50,
        unit: 'ms',
      }),
      info({
        name: `hit latency p99, ${connections} connections`,
        value: appLoaded.latencyMs.p99,
        unit: 'ms',
      }),
      info({
        name: `bare latency p50 / p99, ${connections} connections`,
        value: `${bareLoaded.latencyMs.p50} / ${bareLoaded.latencyMs.p99}`,
        unit: 'ms',
      }),
      verdict({
        name: 'app requests answered from the vector cache',
        target: '≥ 0.99 of measured',
        value: hits / appRequests,
        unit: '×',
        pass: hits / appRequests >= 0.99,
      }),
      verdict({
        name: 'errors (socket + non-2xx), app and bare',
        target: '0',
        value: wrkErrorCount(appLoaded) + wrkErrorCount(appSingle) + wrkErrorCount(bareLoaded),
        unit: '',
        pass: wrkErrorCount(appLoaded) + wrkErrorCount(appSingle) + wrkErrorCount(bareLoaded) === 0,
      }),
    ];
    emitResult(
      {
        part: 'cache',
        rows,
        series: { 'app hit latency (loaded)': appLoaded.curve, 'bare latency (loaded)': bareLoaded.curve },
        notes: [
          `wrk, 1 thread, ${connections} keep-alive connections, ${seconds} s per server, one server at a time; both servers and Redis on this machine.`,
          'The app path (a hit, answered in Fastify’s preHandler before Nest’s pipeline): request id, request log, API-key auth (in-process key cache), per-company rate limit (counted locally, synced to Redis in batches), the generation-versioned key, the stored response from the in-process near cache (one GET behind a 50 ms timeout and breaker when it is not held there), sent as is, and per-company timing; the bare path: one ioredis GET.',
          `Response body ${hit.body.length} bytes, identical on both servers.`,
        ],
      },
      args,
    );
  } finally {
    redis.disconnect();
    bare?.kill('SIGTERM');
    await app?.stop();
    await stack.destroy();
  }
}

async function waitQueueIdle(port: number, deadline: number): Promise<void> {
  for (;;) {
    const res = await httpCall({ port, method: 'GET', path: '/api/v1/admin/queues', key: BENCH_ADMIN_KEY });
    const counts = parseJson<{
      queues?: { ingest?: { waiting?: number; active?: number; delayed?: number } };
    }>(res.body)?.queues?.ingest;
    if (res.status === 200 && counts && !counts.waiting && !counts.active && !counts.delayed) return;
    if (Date.now() > deadline)
      throw new Error(`indexing did not finish in time: ${res.status} ${res.body.slice(0, 300)}`);
    await sleep(500);
  }
}

async function vectorHits(port: number): Promise<number> {
  const res = await httpCall({
    port,
    method: 'GET',
    path: '/api/v1/admin/cache/stats?company_id=bench-cache',
    key: BENCH_ADMIN_KEY,
  });
  const body = parseJson<{ lookups?: { vector?: { hits: number; stale: number } } }>(res.body);
  return (body?.lookups?.vector?.hits ?? 0) + (body?.lookups?.vector?.stale ?? 0);
}

if (process.argv.includes('--bare')) {
  void serveBare();
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

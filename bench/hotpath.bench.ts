/**
 * npm run bench:hotpath — the hot path at 200 requests/s (open loop):
 *  - gateway overhead on an LLM miss: POST /api/v1/query with Cache-Control: no-cache against the OpenAI double,
 *    latency minus the time the double itself waited (its configured latency × upstream calls per request);
 *    without the /query route yet, LlmService.answer in-process over the same double;
 *  - the same miss streamed (Accept: text/event-stream) by 15 concurrent clients: time to the first token minus
 *    the upstream waits before it;
 *  - the app's CPU per miss (process.cpuUsage, read from its metrics listener before and after the run);
 *  - `--cpu-prof=<dir>`: a V8 CPU profile of the app during the miss run only (bench/lib/cpu-profile.js), and its
 *    flame graph next to it (bench/lib/flamegraph.js);
 *  - `--pg-stats`: PostgreSQL with pg_stat_statements; the statements of the miss run, by time per request;
 *  - cached reads (POST /api/v1/search, GET /api/v1/tickets/{id}, POST /api/v1/init when the route exists) next to
 *    a bare Fastify + ioredis process serving a stored answer, in the same run against the same Redis.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import {
  benchAppEnv,
  benchTickets,
  createCompany,
  freePort,
  ROOT,
  spawnApp,
  AppProcess,
  upsertTickets,
  waitReady,
} from './lib/app-process';
import { atMost, BenchRow, emitResult, info, latencyCurve, parseBenchArgs, round } from './lib/bench-output';
import { httpCall, keepAliveAgent, sleep } from './lib/http-client';
import { createLlmContext } from './lib/llm-context';
import { PrivatePostgres, startPrivateStack } from './lib/private-services';
import { percentile } from './lib/stats';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';
import { LlmService } from '../src/modules/llm/llm.service';

const args = parseBenchArgs();
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (args.quick ? 3 : 20));
const UPSTREAM_MS = 50;
const STREAMS = 15;
/** `--cpu-prof=<dir>` or `--cpu-prof <dir>`. */
const PROFILE_DIR = ((): string | undefined => {
  const argv = process.argv.slice(2);
  const inline = argv.find((a) => a.startsWith('--cpu-prof='));
  if (inline) return inline.slice('--cpu-prof='.length);
  const at = argv.indexOf('--cpu-prof');
  return at >= 0 ? argv[at + 1] : undefined;
})();

/** `--pg-stats`: the database's statements of the miss run, by total time (pg_stat_statements). */
const PG_STATS = process.argv.includes('--pg-stats');

/** The machine's CPU time from /proc/stat, all cores: busy (not idle or iowait) and total, in ms since `since`. */
function machineCpuMs(since?: { busyMs: number; totalMs: number }): { busyMs: number; totalMs: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const tickMs = 10; // USER_HZ = 100 on Linux
  const totalMs = fields.reduce((a, b) => a + b, 0) * tickMs;
  const busyMs = totalMs - (fields[3] + fields[4]) * tickMs;
  return since ? { busyMs: busyMs - since.busyMs, totalMs: totalMs - since.totalMs } : { busyMs, totalMs };
}

/** The app's CPU seconds so far (prom-client's process_cpu_seconds_total: process.cpuUsage, user + system). */
async function appCpuSeconds(metricsPort: number): Promise<number> {
  const res = await httpCall({ port: metricsPort, method: 'GET', path: '/metrics' });
  const match = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(res.body);
  if (!match) throw new Error(`no process_cpu_seconds_total in /metrics (${res.status})`);
  return Number(match[1]);
}

/** The top statements since the last reset: calls and milliseconds per request, mean ms per call. */
async function statementsPerRequest(pg: PrivatePostgres, requests: number): Promise<string[]> {
  const rows = await pg.query<{ query: string; calls: string; total: number; mean: number }>(
    `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean
       FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
      ORDER BY total_exec_time DESC LIMIT 20`,
  );
  return rows.map(
    (r) =>
      `PostgreSQL during the miss run: ${round(Number(r.calls) / requests)} calls and ${round(r.total / requests)} ms per request, ` +
      `${round(r.mean)} ms per call: ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`,
  );
}

/** Calls per command since the server started (`INFO commandstats`), e.g. { get: 120, set: 40 }. */
function redisCommandCalls(port: number): Map<string, number> {
  const text = execFileSync('redis-cli', ['-p', String(port), 'INFO', 'commandstats'], { encoding: 'utf8' });
  const calls = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1], Number(match[2]));
  return calls;
}

/** Redis commands per request between two `redisCommandCalls` readings, most frequent first. */
function redisCommandsPerRequest(before: Map<string, number>, after: Map<string, number>, requests: number) {
  const per = [...after]
    .map(([command, calls]) => [command, (calls - (before.get(command) ?? 0)) / requests] as const)
    .filter(([command, n]) => n > 0 && command !== 'info')
    .sort((a, b) => b[1] - a[1]);
  return { total: per.reduce((sum, [, n]) => sum + n, 0), detail: per.map(([c, n]) => `${c} ${round(n)}`).join(', ') };
}

/** One streamed /query: ms to the first `token` event and to the end, or not ok. */
function streamQuery(input: { port: number; key: string; query: string }): Promise<{
  firstTokenMs: number;
  ms: number;
  ok: boolean;
}> {
  const started = performance.now();
  return new Promise((resolve) => {
    const body = JSON.stringify({ query: input.query });
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: input.port,
        method: 'POST',
        path: '/api/v1/query',
        headers: {
          authorization: `Bearer ${input.key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          'cache-control': 'no-cache',
        },
      },
      (res) => {
        let firstTokenMs = NaN;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (Number.isNaN(firstTokenMs)) {
            text += chunk;
            if (text.includes('event: token')) firstTokenMs = performance.now() - started;
          }
        });
        res.on('end', () =>
          resolve({
            firstTokenMs,
            ms: performance.now() - started,
            ok: res.statusCode === 200 && !Number.isNaN(firstTokenMs),
          }),
        );
        res.on('error', () => resolve({ firstTokenMs, ms: performance.now() - started, ok: false }));
      },
    );
    req.on('error', () => resolve({ firstTokenMs: NaN, ms: performance.now() - started, ok: false }));
    req.end(body);
  });
}

/** Fires `count` calls at `rate`/s without waiting for answers; returns each latency in ms (status must be 2xx). */
async function openLoop(
  count: number,
  call: (i: number) => Promise<{ ms: number; ok: boolean }>,
): Promise<{ ms: number[]; errors: number }> {
  const started = performance.now();
  const pending: Promise<{ ms: number; ok: boolean }>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(call(i));
  }
  const done = await Promise.all(pending);
  return { ms: done.filter((d) => d.ok).map((d) => d.ms), errors: done.filter((d) => !d.ok).length };
}

async function untilUpstreamQuiet(
  fake: FakeOpenAiServer,
  input: { quietMs: number; maxMs: number },
): Promise<void> {
  const deadline = Date.now() + input.maxMs;
  let seen = fake.counters.requests;
  let since = Date.now();
  while (Date.now() - since < input.quietMs && Date.now() < deadline) {
    await sleep(100);
    if (fake.counters.requests !== seen) {
      seen = fake.counters.requests;
      since = Date.now();
    }
  }
}

const stats = (name: string, ms: number[]) => [
  info({ name: `${name}: p50`, value: percentile(ms, 50), unit: 'ms' }),
  info({ name: `${name}: p99`, value: percentile(ms, 99), unit: 'ms' }),
];

async function main(): Promise<void> {
  const stack = await startPrivateStack(
    freePort,
    PG_STATS ? { pgServerOptions: ['shared_preload_libraries=pg_stat_statements'] } : {},
  );
  if (PG_STATS) await stack.pg.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const fake = await FakeOpenAiServer.start({ latencyMs: UPSTREAM_MS, embeddingDimension: 64 });
  const baselinePort = await freePort();
  const baseline = spawn(
    process.execPath,
    ['--require', './bench/swc-register.js', 'bench/lib/bare-baseline.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        BASELINE_PORT: String(baselinePort),
        BASELINE_REDIS_URL: `${stack.redis.url}/2`,
      },
      stdio: 'ignore',
    },
  );
  let app: AppProcess | undefined;
  const rows: BenchRow[] = [];
  const series: Record<string, Array<[number, number]>> = {};
  const notes: string[] = [
    `Open loop at ${RATE} requests/s, ${SECONDS} s per endpoint, one endpoint at a time; the OpenAI double answers after ${UPSTREAM_MS} ms.`,
  ];
  const metricsPort = await freePort();
  try {
    app = await spawnApp({
      env: {
        ...stack.env,
        METRICS_PORT: String(metricsPort),
        ...(PROFILE_DIR
          ? {
              NODE_OPTIONS: `--require ${join(__dirname, 'lib', 'cpu-profile.js')}`,
              PROFILE_DIR,
              PROFILE_ON_SIGNAL: '1',
            }
          : {}),
        OPENAI_API_KEY: 'bench',
        OPENAI_BASE_URL: fake.url,
        LLM_EMBEDDING_DIMENSION: '64',
        LOG_LEVEL: 'error',
        LLM_MAX_CONCURRENCY: '256',
        LLM_BACKGROUND_CONCURRENCY: '8',
        ...benchAppEnv(),
      },
    });
    await waitReady({ port: baselinePort, child: baseline });
    const port = app.port;
    const key = await createCompany(port, 'hot');
    await upsertTickets({ port, key, tickets: benchTickets({ count: 300 }) });
    // Indexing (embeddings, summaries) must be over before the miss is measured: its upstream calls would
    // count as the requests' own and its CPU would load the app. Quiet = no upstream call for 1 s.
    await untilUpstreamQuiet(fake, { quietMs: 1_000, maxMs: 120_000 });
    const agent = keepAliveAgent(512);
    const count = RATE * SECONDS;

    // LLM miss through the whole API when /query exists.
    const probe = await httpCall({
      port,
      method: 'POST',
      path: '/api/v1/query',
      key,
      body: { query: 'probe' },
    });
    if (probe.status !== 404) {
      const before = { ...fake.counters };
      const loadBefore = os.loadavg()[0];
      const machineBefore = machineCpuMs();
      const benchBefore = process.cpuUsage();
      const cpuBefore = await appCpuSeconds(metricsPort);
      if (PROFILE_DIR) app.child.kill('SIGUSR2');
      if (PG_STATS) await stack.pg.query('SELECT pg_stat_statements_reset()');
      const redisBefore = redisCommandCalls(stack.redis.port);
      const miss = await openLoop(count, async (i) => {
        const res = await httpCall({
          port,
          method: 'POST',
          path: '/api/v1/query',
          key,
          body: { query: `How do I reset the password of account ${i}?` },
          headers: { 'cache-control': 'no-cache' },
          agent,
        });
        return { ms: res.ms, ok: res.status === 200 };
      });
      if (PROFILE_DIR) app.child.kill('SIGUSR2');
      if (PG_STATS) notes.push(...(await statementsPerRequest(stack.pg, count)));
      const redisCommands = redisCommandsPerRequest(redisBefore, redisCommandCalls(stack.redis.port), count);
      const cpuMsPerRequest = (((await appCpuSeconds(metricsPort)) - cpuBefore) * 1000) / count;
      const loadAfter = os.loadavg()[0];
      const machine = machineCpuMs(machineBefore);
      const benchCpu = process.cpuUsage(benchBefore);
      const benchMsPerRequest = (benchCpu.user + benchCpu.system) / 1000 / count;
      const machineMsPerRequest = machine.busyMs / count;
      const callsPerRequest = (fake.counters.requests - before.requests) / count;
      const perRequest = (n: keyof typeof before) => (fake.counters[n] - before[n]) / count;
      const upstream = callsPerRequest * UPSTREAM_MS;
      series['/query (LLM miss)'] = latencyCurve(miss.ms);
      rows.push(
        info({
          name: 'LLM miss via POST /api/v1/query: upstream calls per request',
          value: callsPerRequest,
          unit: '',
        }),
        info({
          name: 'LLM miss: chat / embedding calls per request',
          value: `${round(perRequest('chatCalls') + perRequest('streamCalls'))} / ${round(perRequest('embeddingCalls'))}`,
          unit: '',
        }),
        info({ name: 'LLM miss via POST /api/v1/query: errors', value: miss.errors, unit: `of ${count}` }),
        info({
          name: 'LLM miss: Redis commands per request (cache and queue Redis)',
          value: round(redisCommands.total),
          unit: redisCommands.detail,
        }),
        atMost({
          name: 'LLM miss: gateway overhead p50 (latency − upstream wait)',
          value: percentile(miss.ms, 50) - upstream,
          limit: 5,
          unit: 'ms',
        }),
        atMost({
          name: 'LLM miss: gateway overhead p99 (latency − upstream wait)',
          value: percentile(miss.ms, 99) - upstream,
          limit: 50,
          unit: 'ms',
        }),
        info({
          name: 'LLM miss: app CPU per request (process.cpuUsage)',
          value: cpuMsPerRequest,
          unit: 'ms',
        }),
        info({
          name: 'LLM miss: machine CPU per request: all / app / load generator + OpenAI double / the rest (PostgreSQL, Redis, kernel)',
          value: `${round(machineMsPerRequest)} / ${round(cpuMsPerRequest)} / ${round(benchMsPerRequest)} / ${round(machineMsPerRequest - cpuMsPerRequest - benchMsPerRequest)}`,
          unit: 'ms',
        }),
        info({
          name: `LLM miss: machine busy during the run (${os.cpus().length} cores)`,
          value: machine.busyMs / machine.totalMs,
          unit: 'of all cores',
        }),
        info({
          name: 'load average (1 min) before / after the miss run',
          value: `${loadBefore.toFixed(2)} / ${loadAfter.toFixed(2)}`,
          unit: '',
        }),
      );

      // The same miss streamed by concurrent clients: the first token, minus the upstream waits before it
      // (every call to the double precedes the first token: retrieval's embedding, then the stream's first byte).
      await untilUpstreamQuiet(fake, { quietMs: 500, maxMs: 30_000 });
      const streamsBefore = fake.counters.requests;
      const perStream = Math.max(STREAMS * 4, Math.round(count / 4));
      const streamed: Array<{ firstTokenMs: number; ms: number; ok: boolean }> = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: STREAMS }, async () => {
          while (next < perStream) {
            const i = next++;
            streamed.push(
              await streamQuery({ port, key, query: `How do I reset the password of stream account ${i}?` }),
            );
          }
        }),
      );
      const upstreamBeforeToken = ((fake.counters.requests - streamsBefore) / perStream) * UPSTREAM_MS;
      const firstTokens = streamed.filter((r) => r.ok).map((r) => r.firstTokenMs - upstreamBeforeToken);
      series[`/query streamed, ${STREAMS} concurrent: added time to first token`] = latencyCurve(firstTokens);
      rows.push(
        info({
          name: `LLM miss streamed (${STREAMS} concurrent): upstream calls per request / errors`,
          value: `${round(upstreamBeforeToken / UPSTREAM_MS)} / ${streamed.length - firstTokens.length}`,
          unit: `of ${perStream}`,
        }),
        info({
          name: `LLM miss streamed (${STREAMS} concurrent): added time to first token p50`,
          value: percentile(firstTokens, 50),
          unit: 'ms',
        }),
        atMost({
          name: `LLM miss streamed (${STREAMS} concurrent): added time to first token p99`,
          value: percentile(firstTokens, 99),
          limit: 50,
          unit: 'ms',
        }),
      );
      if (PROFILE_DIR) {
        const profile = readdirSync(PROFILE_DIR)
          .filter((name) => name.endsWith(`-${app?.child.pid}.cpuprofile`))
          .map((name) => join(PROFILE_DIR, name))[0];
        if (profile) {
          const svg = profile.replace(/\.cpuprofile$/, '.svg');
          const top = execFileSync(
            process.execPath,
            [
              join(__dirname, 'lib', 'flamegraph.js'),
              profile,
              svg,
              `LLM miss via POST /api/v1/query, ${RATE} req/s`,
            ],
            { encoding: 'utf8' },
          );
          notes.push(`CPU profile of the miss run: ${profile}; flame graph: ${svg}`);
          console.log(top);
        }
      }
    } else {
      const ctx = await createLlmContext({
        OPENAI_API_KEY: 'bench',
        OPENAI_BASE_URL: fake.url,
        LLM_MAX_CONCURRENCY: '512',
        LLM_BACKGROUND_CONCURRENCY: '64',
      });
      const llm = ctx.get(LlmService);
      const sources = [
        {
          ref: 1,
          id: 'ticket:T-1',
          kind: 'ticket' as const,
          text: 'Open Settings, choose Reset password and follow the emailed link.',
        },
      ];
      const miss = await openLoop(count, async (i) => {
        const t0 = performance.now();
        await llm.answer({
          companyId: 'hot',
          question: `How do I reset the password of account ${i}?`,
          sources,
        });
        return { ms: performance.now() - t0, ok: true };
      });
      await ctx.close();
      series['LlmService.answer (LLM miss)'] = latencyCurve(miss.ms);
      notes.push(
        'POST /api/v1/query answered 404 (route not built yet): the LLM-miss overhead is LlmService.answer in-process, without HTTP, auth and retrieval.',
      );
      rows.push(
        info({
          name: 'LLM miss: gateway overhead p50 (LlmService.answer − double latency)',
          value: percentile(miss.ms, 50) - UPSTREAM_MS,
          unit: 'ms',
        }),
        info({
          name: 'LLM miss: gateway overhead p99 (LlmService.answer − double latency)',
          value: percentile(miss.ms, 99) - UPSTREAM_MS,
          unit: 'ms',
        }),
      );
    }

    const searchBody = { query: 'password reset link expired', limit: 5 };
    const targets: Array<{
      name: string;
      port: number;
      method: string;
      path: string;
      body?: unknown;
      key?: string;
    }> = [
      {
        name: 'bare Fastify + ioredis',
        port: baselinePort,
        method: 'POST',
        path: '/api/v1/search',
        body: searchBody,
      },
      {
        name: 'POST /api/v1/search (cached)',
        port,
        method: 'POST',
        path: '/api/v1/search',
        body: searchBody,
        key,
      },
      { name: 'GET /api/v1/tickets/{id}', port, method: 'GET', path: '/api/v1/tickets/T-7', key },
    ];
    const init = await httpCall({
      port,
      method: 'POST',
      path: '/api/v1/init',
      key,
      body: { ticket_id: 'T-7' },
    });
    if (init.status !== 404 || !init.body.includes('Cannot POST'))
      targets.push({
        name: 'POST /api/v1/init (cached)',
        port,
        method: 'POST',
        path: '/api/v1/init',
        body: { ticket_id: 'T-7' },
        key,
      });
    else notes.push('POST /api/v1/init answered 404 (route not built yet): not measured.');
    const p50: Record<string, number> = {};
    const p99: Record<string, number> = {};
    for (const t of targets) {
      const warm = await httpCall({ port: t.port, method: t.method, path: t.path, key: t.key, body: t.body });
      await httpCall({ port: t.port, method: t.method, path: t.path, key: t.key, body: t.body });
      const cacheHeader = (
        await httpCall({ port: t.port, method: t.method, path: t.path, key: t.key, body: t.body })
      ).headers['x-cache'];
      const run = await openLoop(count, async () => {
        const res = await httpCall({
          port: t.port,
          method: t.method,
          path: t.path,
          key: t.key,
          body: t.body,
          agent,
        });
        return { ms: res.ms, ok: res.status >= 200 && res.status < 300 };
      });
      series[t.name] = latencyCurve(run.ms);
      p50[t.name] = percentile(run.ms, 50);
      p99[t.name] = percentile(run.ms, 99);
      rows.push(
        ...stats(t.name, run.ms),
        info({
          name: `${t.name}: errors / X-Cache`,
          value: `${run.errors} of ${count} / ${String(cacheHeader ?? 'none')}`,
          unit: `(warm-up ${warm.status})`,
        }),
      );
    }
    const base = 'bare Fastify + ioredis';
    if (p99['POST /api/v1/init (cached)'] !== undefined) {
      // The seed's budget for /init (< 2 s); the Assist bench judges it cold too.
      rows.push(
        atMost({
          name: 'POST /api/v1/init (cached): p99 within the seed budget',
          value: p99['POST /api/v1/init (cached)'],
          limit: 2000,
          unit: 'ms',
        }),
      );
    }
    for (const t of targets.slice(1)) {
      rows.push(
        info({
          name: `${t.name} vs bare: p50 ratio / p99 ratio`,
          value: `${round(p50[t.name] / p50[base])}× / ${round(p99[t.name] / p99[base])}×`,
          unit: '',
        }),
      );
    }
    agent.destroy();
  } finally {
    app?.kill();
    baseline.kill('SIGKILL');
    await fake.close();
    await stack.destroy();
  }
  emitResult(
    {
      part: 'hotpath',
      rows,
      notes,
      series: {
        latency: {
          title: `Hot path latency at ${RATE} requests/s`,
          xLabel: 'percentile',
          yLabel: 'ms',
          logY: true,
          series,
        },
      },
    },
    args,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

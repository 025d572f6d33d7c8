/**
 * npm run bench:concurrency — 10,000 concurrent keep-alive connections against cached endpoints of one API
 * process, then of two API processes sharing the port (node:cluster, round-robin) and the same Redis and
 * PostgreSQL. Two measurements each:
 *  - held: 10,000 connections open, requests spread over them at a fixed rate (targets: 0 errors, p99 ≤ 500 ms);
 *  - saturation: wrk with 10,000 connections sending back to back (requests/s the process tops out at; latency
 *    there is queueing, connections / throughput, reported but not judged).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import {
  AppProcess,
  benchTickets,
  createCompany,
  freePort,
  spawnApp,
  upsertTickets,
} from './lib/app-process';
import {
  atMost,
  BenchRow,
  emitResult,
  info,
  latencyCurve,
  parseBenchArgs,
  verdict,
} from './lib/bench-output';
import { runPoolLoad, PoolLoadResult } from './lib/connection-pool-load';
import { httpCall } from './lib/http-client';
import { percentile } from './lib/stats';
import { hardNofileLimit, softNofileLimit, startPrivateStack } from './lib/private-services';
import { runWrk, WrkRequest, WrkResult, wrkErrorCount } from './lib/wrk';

const args = parseBenchArgs();
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? (args.quick ? 6 : 30));
const RATE = Number(process.env.BENCH_RATE ?? 500);
const NOFILE = Math.min(hardNofileLimit(), CONNECTIONS + 4096);

const QUERIES = [
  'password reset link expired',
  'refund for a double charge',
  'CSV export timeout',
  '배송 지연',
];

function loadRequests(key: string): WrkRequest[] {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return [
    ...QUERIES.map((q) => ({
      method: 'POST' as const,
      path: '/api/v1/search',
      headers,
      body: JSON.stringify({ query: q, limit: 5 }),
    })),
    { method: 'GET', path: '/api/v1/tickets/T-1', headers: { authorization: `Bearer ${key}` } },
  ];
}

/** Warms every request once and reports whether the app marked the second answer a cache hit. */
async function warm(port: number, requests: WrkRequest[]): Promise<{ hits: number; cacheable: number }> {
  let hits = 0;
  let cacheable = 0;
  for (const r of requests) {
    for (let i = 0; i < 2; i++) {
      const res = await httpCall({ port, method: r.method, path: r.path, headers: r.headers, body: r.body });
      if (res.status >= 400)
        throw new Error(`warm ${r.method} ${r.path}: ${res.status} ${res.body.slice(0, 300)}`);
      if (i === 1 && res.headers['x-cache'] !== undefined) {
        cacheable++;
        if (res.headers['x-cache'] === 'HIT') hits++;
      }
    }
  }
  return { hits, cacheable };
}

function heldRows(label: string, r: PoolLoadResult): BenchRow[] {
  const non2xx = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  const failed = r.late + r.unanswered + non2xx;
  const lost = CONNECTIONS - r.opened + r.closedByServer;
  return [
    verdict({
      name: `${label}, held: connections not opened or closed by the server`,
      target: '0',
      value: lost,
      unit: `of ${CONNECTIONS}`,
      pass: lost === 0,
    }),
    verdict({
      name: `${label}, held: failed requests`,
      target: '0',
      value: failed,
      unit: `of ${r.sent} (${r.late} later than 5 s, ${r.unanswered} unanswered, ${non2xx} non-2xx)`,
      pass: failed === 0 && r.completed > 0,
    }),
    info({ name: `${label}, held: request rate`, value: r.achievedRate, unit: 'req/s' }),
    info({ name: `${label}, held: p50`, value: percentile(r.latenciesMs, 50), unit: 'ms' }),
    atMost({ name: `${label}, held: p99`, value: percentile(r.latenciesMs, 99), limit: 500, unit: 'ms' }),
  ];
}

function saturationRows(label: string, r: WrkResult): BenchRow[] {
  return [
    info({ name: `${label}, saturation: throughput`, value: r.requestsPerSecond, unit: 'req/s' }),
    info({
      name: `${label}, saturation: errors`,
      value: `${wrkErrorCount(r)} of ${r.requests} (${Object.entries(r.errors)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
      unit: '',
    }),
    info({
      name: `${label}, saturation: p50 / p99`,
      value: `${r.latencyMs.p50.toFixed(0)} / ${r.latencyMs.p99.toFixed(0)}`,
      unit: 'ms',
    }),
  ];
}

const toRaw = (requests: WrkRequest[]) =>
  requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body }));

async function measure(
  port: number,
  requests: WrkRequest[],
): Promise<{ held: PoolLoadResult; saturation: WrkResult }> {
  const held = await runPoolLoad({
    port,
    connections: CONNECTIONS,
    rate: RATE,
    durationS: DURATION_S,
    timeoutMs: 5000,
    requests: toRaw(requests),
  });
  const saturation = await runWrk({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    threads: 2,
    durationS: DURATION_S,
    timeoutS: 5,
    requests,
  });
  return { held, saturation };
}

async function main(): Promise<void> {
  const stack = await startPrivateStack(freePort);
  const apps: AppProcess[] = [];
  try {
    const single = await spawnApp({ env: { ...stack.env, LOG_LEVEL: 'error' }, nofile: NOFILE });
    apps.push(single);
    const key = await createCompany(single.port, 'conc-a');
    await upsertTickets({ port: single.port, key, tickets: benchTickets({ count: 200 }) });
    const requests = loadRequests(key);
    const cache = await warm(single.port, requests);
    const one = await measure(single.port, requests);
    await single.stop();

    const pair = await spawnApp({
      env: { ...stack.env, LOG_LEVEL: 'error' },
      entry: 'cluster',
      workers: 2,
      nofile: NOFILE,
    });
    apps.push(pair);
    await warm(pair.port, requests);
    const two = await measure(pair.port, requests);
    await pair.stop();

    emitResult(
      {
        part: 'concurrency',
        rows: [
          info({ name: 'connections (keep-alive)', value: CONNECTIONS, unit: '' }),
          info({ name: 'duration per measurement', value: DURATION_S, unit: 's' }),
          info({
            name: 'warmed requests answered X-Cache: HIT',
            value: `${cache.hits} of ${cache.cacheable} cacheable (${requests.length} in rotation)`,
            unit: '',
          }),
          ...heldRows('1 API process', one.held),
          ...saturationRows('1 API process', one.saturation),
          ...heldRows('2 API processes', two.held),
          ...saturationRows('2 API processes', two.saturation),
        ],
        series: {
          held: {
            title: `Latency, ${CONNECTIONS} connections held, ${RATE} req/s`,
            xLabel: 'percentile',
            yLabel: 'ms',
            logY: true,
            series: {
              '1 API process': latencyCurve(one.held.latenciesMs),
              '2 API processes': latencyCurve(two.held.latenciesMs),
            },
          },
          saturation: {
            title: `Latency at saturation (wrk, ${CONNECTIONS} connections)`,
            xLabel: 'percentile',
            yLabel: 'ms',
            logY: true,
            series: { '1 API process': one.saturation.curve, '2 API processes': two.saturation.curve },
          },
        },
        notes: [
          `${cpus().length} CPU cores shared by wrk, the API process(es), Redis and PostgreSQL: a second API process competes for the same cores, so it cannot double throughput here.`,
          'Two processes share one port through node:cluster (round-robin hand-off of accepted connections), standing in for two instances behind a load balancer; both use the same Redis and PostgreSQL.',
          'Rotation: POST /api/v1/search (4 queries, warmed) and GET /api/v1/tickets/T-1. Errors: connections not opened or dropped, answers later than 5 s, non-2xx responses.',
          `Held: ${CONNECTIONS} sockets open, ${RATE} requests/s spread round-robin over them (open loop). Saturation: wrk closed loop, so its latency is connections / throughput by construction and is not judged against 500 ms.`,
        ],
      },
      args,
    );
  } finally {
    for (const app of apps) app.kill('SIGKILL');
    await stack.destroy();
  }
}

/** The load generator itself holds 10,000 sockets: re-run under prlimit when the soft limit is too low. */
function ensureNofile(): boolean {
  if (softNofileLimit() >= CONNECTIONS + 1024 || process.env.BENCH_NOFILE_RAISED) return false;
  const run = spawnSync(
    'prlimit',
    [`--nofile=${NOFILE}:${NOFILE}`, '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_NOFILE_RAISED: '1' },
    },
  );
  process.exit(run.status ?? 1);
}

if (!ensureNofile())
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

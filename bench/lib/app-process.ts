import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../test/support/free-port';
import { httpCall, parseJson, sleep } from './http-client';

export { freePort };

export const ROOT = resolve(__dirname, '..', '..');
export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/**
 * BENCH_APP_ENV (e.g. `SEARCH_HYBRID=false,CACHE_NEAR_MAX_ENTRIES=0`): settings a bench's app runs with on top of
 * its own, to rerun the same measurement with something switched.
 */
export function benchAppEnv(raw = process.env.BENCH_APP_ENV ?? ''): Record<string, string> {
  return Object.fromEntries(
    raw
      .split(',')
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

export interface AppProcess {
  port: number;
  child: ChildProcess;
  dataDir: string;
  /** Last lines of stdout+stderr, for failure messages. */
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface AppSpawn {
  env: Record<string, string>;
  port?: number;
  /**
   * `main` (default): src/main.ts; `cluster`: bench/lib/cluster-main.js forking `workers` API processes on one port;
   * `dist`: the built dist/main.js (`npx nest build` first), as production runs it.
   */
  entry?: 'main' | 'cluster' | 'dist';
  workers?: number;
  /** Raise the open-file limit of the process (prlimit), for connection-heavy runs. */
  nofile?: number;
  waitReady?: boolean;
}

/**
 * Runs the real application (src/main.ts through the swc require hook, no build step) as a child process.
 * Env starts empty apart from PATH/HOME: nothing of the caller's environment leaks into the app's config.
 */
export async function spawnApp(input: AppSpawn): Promise<AppProcess> {
  const port = input.port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    // Every role has its own metrics listener (default 9464): an API and a worker on one machine need two ports.
    METRICS_PORT: String(await freePort()),
    ...input.env,
  };
  if (input.workers) env.BENCH_CLUSTER_WORKERS = String(input.workers);
  const script =
    input.entry === 'cluster'
      ? ['bench/lib/cluster-main.js']
      : input.entry === 'dist'
        ? ['dist/main.js']
        : ['--require', './bench/swc-register.js', 'src/main.ts'];
  const args = [process.execPath, ...script];
  const child = input.nofile
    ? spawn('prlimit', [`--nofile=${input.nofile}:${input.nofile}`, '--', ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(args[0], args.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // BENCH_APP_LOG_DIR=<dir>: every app process's whole output also goes to <dir>/<role>-<pid>.log (diagnostic runs).
  const logFile = process.env.BENCH_APP_LOG_DIR
    ? join(process.env.BENCH_APP_LOG_DIR, `${env.APP_ROLE ?? 'all'}-${child.pid}.log`)
    : undefined;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
    if (logFile) appendFileSync(logFile, chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // The data dir goes with the process, however it ended (a killed app never runs its own cleanup).
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      done(code);
    }),
  );
  const app: AppProcess = {
    port,
    child,
    dataDir,
    output: () => output,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // A bench exiting right after a SIGKILL never sees the exit event: drop the data dir now.
      if (signal === 'SIGKILL') rmSync(dataDir, { recursive: true, force: true });
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (input.waitReady !== false) await waitReady(app);
  return app;
}

/** Waits for /health/live to answer 200 (the process may take seconds to compile and boot). */
export async function waitReady(
  app: Pick<AppProcess, 'port' | 'child'> & { output?: () => string },
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null)
      throw new Error(`app exited with ${app.child.exitCode}:\n${app.output?.() ?? ''}`);
    const res = await httpCall({ port: app.port, method: 'GET', path: '/health/live', timeoutMs: 2000 });
    if (res.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`app on port ${app.port} not live after ${timeoutMs} ms:\n${app.output?.() ?? ''}`);
    await sleep(200);
  }
}

export async function createCompany(port: number, companyId: string): Promise<string> {
  const res = await httpCall({
    port,
    method: 'POST',
    path: '/api/v1/admin/companies',
    key: BENCH_ADMIN_KEY,
    body: { company_id: companyId, name: `Company ${companyId}` },
  });
  const body = parseJson<{ api_key?: string }>(res.body);
  if (res.status !== 201 || !body?.api_key)
    throw new Error(`create company ${companyId}: ${res.status} ${res.body}`);
  return body.api_key;
}

export interface BenchTicket {
  ticket_id: string;
  subject: string;
  description: string;
  status: 'open' | 'pending' | 'resolved' | 'closed';
  priority: 'low' | 'medium' | 'high' | 'urgent';
  tags: string[];
  created_at: string;
}

const TOPICS = [
  ['password reset', 'The reset link in the email has expired before I could use it.'],
  ['refund request', 'I was charged twice for the same order and want a refund.'],
  ['CSV export', 'The CSV export fails with a timeout on large reports.'],
  ['login failure', 'Two-factor codes are rejected although the phone clock is right.'],
  ['shipping delay', 'The parcel has not moved for a week according to tracking.'],
  ['invoice address', 'The invoice shows the old company address after the update.'],
  ['배송 지연', '주문한 상품이 일주일째 배송 준비 중으로 표시됩니다.'],
  ['비밀번호 재설정', '비밀번호 재설정 메일이 도착하지 않습니다.'],
] as const;

/** Deterministic generated tickets (English and Korean), `count` of them from `offset`. */
export function benchTickets(input: {
  count: number;
  offset?: number;
  prefix?: string;
  day?: string;
}): BenchTicket[] {
  const offset = input.offset ?? 0;
  const statuses = ['open', 'pending', 'resolved', 'closed'] as const;
  const priorities = ['low', 'medium', 'high', 'urgent'] as const;
  return Array.from({ length: input.count }, (_, k) => {
    const i = offset + k;
    const [topic, text] = TOPICS[i % TOPICS.length];
    return {
      ticket_id: `${input.prefix ?? 'T'}-${i}`,
      subject: `${topic} #${i}`,
      description: `${text} Order ${1000 + i}. Customer tier ${i % 3}.`,
      status: statuses[i % statuses.length],
      priority: priorities[i % priorities.length],
      tags: [topic.split(' ')[0].toLowerCase()],
      created_at: `${input.day ?? '2024-05-01'}T${String(i % 24).padStart(2, '0')}:00:00Z`,
    };
  });
}

/** PUT /api/v1/tickets in batches of 1,000 (the contract's maximum). */
export async function upsertTickets(input: {
  port: number;
  key: string;
  tickets: BenchTicket[];
}): Promise<void> {
  for (let i = 0; i < input.tickets.length; i += 1000) {
    const res = await httpCall({
      port: input.port,
      method: 'PUT',
      path: '/api/v1/tickets',
      key: input.key,
      body: { tickets: input.tickets.slice(i, i + 1000) },
      timeoutMs: 120_000,
    });
    if (res.status !== 200) throw new Error(`upsert tickets: ${res.status} ${res.body.slice(0, 500)}`);
  }
}

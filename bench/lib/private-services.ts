import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { sleep } from './http-client';

/**
 * Throwaway Redis and PostgreSQL servers owned by one bench run. Fault benches stop and restart these,
 * never the machine's shared 6379/5432 (other processes depend on them).
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private readonly dir?: string;

  /** `appendOnly`: an AOF in a temp dir (fsync every second), so a restart keeps the data (a queue Redis). */
  constructor(
    readonly port: number,
    private readonly options: { appendOnly?: boolean } = {},
  ) {
    if (options.appendOnly) this.dir = mkdtempSync(join(tmpdir(), 'sc-bench-redis-'));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        this.options.appendOnly ? 'yes' : 'no',
        ...(this.dir ? ['--dir', this.dir, '--appendfsync', 'everysec'] : []),
        '--maxclients',
        '20000',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!this.ping()) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await sleep(50);
    }
  }

  /** SIGKILL by default (a crash); SIGTERM is a clean shutdown (the AOF is flushed). */
  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  }

  /** SIGSTOP: the server hangs with its sockets open, as a stalled host does. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  removeData(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private ping(): boolean {
    try {
      return (
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], {
          encoding: 'utf8',
          timeout: 1000,
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim() === 'PONG'
      );
    } catch {
      return false;
    }
  }
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

/** A PostgreSQL cluster in a temp dir on its own port; initdb refuses root, so it runs as `postgres` then. */
export class PrivatePostgres {
  private readonly dir: string;
  private readonly asUser: string | undefined;

  /** `serverOptions`: more `-c name=value` settings for the server (e.g. to preload pg_stat_statements). */
  constructor(
    readonly port: number,
    private readonly serverOptions: string[] = [],
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'sc-bench-pg-'));
    this.asUser = userInfo().uid === 0 ? 'postgres' : undefined;
    if (this.asUser) chownSync(this.dir, uidOf(this.asUser), gidOf(this.asUser));
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/bench`;
  }

  async init(): Promise<void> {
    this.run('initdb', ['-D', this.dir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await this.start();
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres` });
    await client.connect();
    await client.query('CREATE DATABASE bench');
    await client.end();
  }

  async start(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      this.dir,
      '-o',
      [
        `-p ${this.port} -k /tmp -c fsync=off -c max_connections=300`,
        ...this.serverOptions.map((o) => `-c ${o}`),
      ].join(' '),
      '-w',
      '-l',
      join(this.dir, 'log'),
      'start',
    ]);
    await sleep(100);
  }

  /** `fast` stop: clients are disconnected, as in a real restart. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.dir, '-m', 'fast', '-w', 'stop']);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[]): void {
    const bin = join(pgBin(), tool);
    if (this.asUser)
      execFileSync('runuser', ['-u', this.asUser, '--', bin, ...args], { stdio: 'pipe', timeout: 60_000 });
    else execFileSync(bin, args, { stdio: 'pipe', timeout: 60_000 });
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

export interface PrivateStack {
  redis: PrivateRedis;
  pg: PrivatePostgres;
  /** App env for services mode against this stack (cache on db 0, queues on db 1). */
  env: Record<string, string>;
  destroy(): Promise<void>;
}

/** A private Redis and PostgreSQL on free ports: the app runs in services mode against real servers. */
export async function startPrivateStack(
  freePort: () => Promise<number>,
  options: { pgServerOptions?: string[] } = {},
): Promise<PrivateStack> {
  const redis = new PrivateRedis(await freePort());
  const pg = new PrivatePostgres(await freePort(), options.pgServerOptions);
  await redis.start();
  await pg.init();
  return {
    redis,
    pg,
    env: { DATABASE_URL: pg.url, REDIS_URL: `${redis.url}/0`, QUEUE_REDIS_URL: `${redis.url}/1` },
    async destroy() {
      await redis.stop();
      pg.destroy();
    },
  };
}

/** The hard open-file limit of this process (what prlimit may raise a child's soft limit to without privileges). */
export function hardNofileLimit(): number {
  return nofileLimit(4);
}

export function softNofileLimit(): number {
  return nofileLimit(3);
}

function nofileLimit(column: 3 | 4): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const value = line?.trim().split(/\s+/)[column];
  return value === undefined || value === 'unlimited' ? 1_048_576 : Number(value);
}

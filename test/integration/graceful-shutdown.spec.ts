import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';

const ADMIN = 'shutdown-admin-key-0123456789';

function call(port: number, input: { method: string; path: string; key?: string; body?: unknown }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = input.body === undefined ? undefined : JSON.stringify(input.body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: input.method,
        path: input.path,
        headers: {
          ...(input.key ? { authorization: `Bearer ${input.key}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function callWithHeaders(port: number, path: string, key?: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown (a real process on a real port)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-shutdown-'));
  let port: number;
  let server: ChildProcess;
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    port = await freePort();
    server = spawn(process.execPath, ['--require', './bench/swc-register.js', 'src/main.ts'], {
      cwd: join(__dirname, '../..'),
      // No metrics listener: its fixed port (9464) may be held by a server another test run spawned at the same time.
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', QUEUE_REDIS_URL: '', METRICS_ENABLED: 'false', PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'warn', INGEST_CHUNK_SIZE: '50', SHUTDOWN_GRACE_MS: '30000', SHUTDOWN_DRAIN_MS: '4000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    // Compiling the sources at start takes seconds alone and far longer on a CI machine running two suites at once
    // (30 s was once not enough there); the server exiting early fails at once, with its output.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const up = await call(port, { method: 'GET', path: '/health/live' }).catch(() => null);
      if (up?.status === 200) break;
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const created = await call(port, { method: 'POST', path: '/api/v1/admin/companies', key: ADMIN, body: { company_id: 'drain', name: 'Drain' } });
    const key = JSON.parse(created.body).api_key as string;
    const tickets = Array.from({ length: 300 }, (_, i) => ({
      ticket_id: `S-${i}`,
      subject: `Shutdown test ${i}`,
      description: 'The parcel did not arrive. '.repeat(20),
      status: 'open',
      created_at: '2024-05-01T00:00:00Z',
    }));
    // In flight when SIGTERM arrives: a 300-ticket upsert and a full export.
    const inFlight = [
      call(port, { method: 'PUT', path: '/api/v1/tickets', key, body: { tickets } }),
      call(port, { method: 'GET', path: '/api/v1/tickets/export', key }),
    ];
    await new Promise((r) => setTimeout(r, 20));
    server.kill('SIGTERM');
    const [upsert, exported] = await Promise.all(inFlight);
    // Draining (4 s): no longer ready, but still accepting, and answering with `connection: close`.
    let ready = await callWithHeaders(port, '/health/ready');
    for (let i = 0; i < 20 && ready.status !== 503; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = await callWithHeaders(port, '/health/ready');
    }
    expect(ready.status).toBe(503);
    const during = await callWithHeaders(port, '/api/v1/tickets/S-1', key);
    expect(during.status).toBe(200);
    expect(during.connection).toBe('close');
    expect(upsert.status).toBe(200);
    expect(JSON.parse(upsert.body)).toEqual({ upserted: 300, unchanged: 0 });
    expect(exported.status).toBe(200);
    const code = await exited;
    if (code !== 0) console.log(output.slice(-2000));
    expect(code).toBe(0);
    // Stopped accepting: a new connection is refused.
    await expect(call(port, { method: 'GET', path: '/health/live' })).rejects.toThrow();
  }, 180_000);
});

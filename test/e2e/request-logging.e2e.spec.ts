import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ticketFactory } from '../factories/ticket.factory';
import { startTestApp, TestApp, TEST_ADMIN_KEY } from '../setup/test-app';
import { freePort } from '../support/free-port';

/** Collects the JSON lines pino writes. */
class LogCapture extends Writable {
  readonly lines: Array<Record<string, any>> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }
  access(): Array<Record<string, any>> {
    return this.lines.filter((line) => line.request_id !== undefined && line.status !== undefined);
  }
  clear(): void {
    this.lines.length = 0;
  }
}

describe('request logging (one access line per request)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { LOG_LEVEL: 'info' }, { logDestination: logs });
    key = await t.createCompany('acme');
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [ticketFactory({ ticket_id: 'L-1' })] } });
  });
  afterAll(() => t.close());
  beforeEach(() => logs.clear());

  it('logs method, route template, status, latency, company and request id of a success', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/tickets/L-1', key, headers: { 'x-request-id': 'trace-log-1' } });
    expect(res.status).toBe(200);
    expect(logs.access()).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        method: 'GET',
        route: '/api/v1/tickets/:ticket_id',
        status: 200,
        duration_ms: expect.any(Number),
        company_id: 'acme',
        request_id: 'trace-log-1',
      }),
    ]);
  });

  it('logs failures before any handler: a 401 without a company, a 404 of no route, never the key', async () => {
    await t.request({ method: 'GET', url: '/api/v1/tickets/L-1', key: 'sc_wrong-key-0123456789', headers: { 'x-request-id': 'trace-401' } });
    await t.request({ method: 'GET', url: '/api/v1/nowhere', key, headers: { 'x-request-id': 'trace-404' } });
    const [unauthorized, notFound] = logs.access();
    expect(unauthorized).toEqual(expect.objectContaining({ level: 40, status: 401, request_id: 'trace-401', route: '/api/v1/tickets/:ticket_id' }));
    expect(unauthorized.company_id).toBeUndefined();
    expect(notFound).toEqual(expect.objectContaining({ level: 40, status: 404, request_id: 'trace-404', route: null, url: '/api/v1/nowhere' }));
    expect(JSON.stringify(logs.lines)).not.toContain('sc_wrong-key');
    expect(JSON.stringify(logs.lines)).not.toContain(TEST_ADMIN_KEY);
  });
});

describe('request logging with LOG_SUCCESS_MIN_MS', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { LOG_LEVEL: 'info', LOG_SUCCESS_MIN_MS: '60000' }, { logDestination: logs });
  });
  afterAll(() => t.close());

  it('skips fast successes and still logs every error', async () => {
    const key = await t.createCompany('globex');
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets?limit=1', key })).status).toBe(200);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/none', key })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets?limit=0', key })).status).toBe(400);
    expect(logs.access().map((line) => line.status)).toEqual([404, 400]);
  });
});

describe('LOG_PRETTY=true (a real process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-pretty-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts and prints human-readable access lines', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, ['--require', './bench/swc-register.js', 'src/main.ts'], {
      cwd: join(__dirname, '../..'),
      env: {
        ...process.env,
        DATABASE_URL: '', REDIS_URL: '', QUEUE_REDIS_URL: '', QDRANT_URL: '', METRICS_ENABLED: 'false',
        PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'info', LOG_PRETTY: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/tickets`, { headers: { 'x-request-id': 'pretty-1' } }).catch(() => null);
        if (res?.status === 401) break;
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const printed = Date.now() + 5_000;
      while (!output.includes('pretty-1') && Date.now() < printed) await new Promise((r) => setTimeout(r, 100));
      expect(output).toMatch(/WARN[^\n]*request completed/);
      expect(output).toContain('request_id: "pretty-1"');
      expect(output).not.toContain('"request_id":"pretty-1"');
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});

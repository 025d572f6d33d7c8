import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hardNofileLimit } from './private-services';

export interface WrkRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  errors: { connect: number; read: number; write: number; timeout: number; status: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** [percentile, ms] from 1 to 100, for the latency chart. */
  curve: Array<[number, number]>;
}

const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The Lua script: requests rotate per connection thread; `done` prints one JSON line the caller parses. */
function script(requests: WrkRequest[]): string {
  const built = requests
    .map((r) => {
      const headers = Object.entries(r.headers)
        .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
        .join(', ');
      return `  table.insert(reqs, wrk.format(${luaString(r.method)}, ${luaString(r.path)}, { ${headers} }, ${r.body === undefined ? 'nil' : luaString(r.body)}))`;
    })
    .join('\n');
  return `
local reqs = {}
local n = 0
init = function(args)
${built}
end
request = function()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end
done = function(summary, latency, requests)
  local curve = {}
  for p = 1, 100 do table.insert(curve, string.format("[%d,%.3f]", p, latency:percentile(p) / 1000)) end
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f,"curve":[%s]}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, table.concat(curve, ",")))
end
`;
}

/** Runs wrk (a system tool: apt-get install wrk) with its open-file limit raised to fit `connections`. */
export async function runWrk(input: {
  url: string;
  connections: number;
  threads: number;
  durationS: number;
  timeoutS: number;
  requests: WrkRequest[];
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sc-wrk-'));
  const file = join(dir, 'load.lua');
  writeFileSync(file, script(input.requests));
  const nofile = Math.min(hardNofileLimit(), input.connections + 1024);
  const args = [
    `--nofile=${nofile}:${nofile}`,
    '--',
    'wrk',
    `-t${input.threads}`,
    `-c${input.connections}`,
    `-d${input.durationS}s`,
    `--timeout`,
    `${input.timeoutS}s`,
    '-s',
    file,
    input.url,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('prlimit', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text.slice(-1000)}`)),
    );
  });
  rmSync(dir, { recursive: true, force: true });
  const line = output.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${output.slice(-2000)}`);
  const raw = JSON.parse(line.slice('WRKJSON '.length)) as {
    requests: number;
    duration_us: number;
    connect: number;
    read: number;
    write: number;
    timeout: number;
    status: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    mean: number;
    curve: Array<[number, number]>;
  };
  const durationS = raw.duration_us / 1e6;
  return {
    requests: raw.requests,
    durationS,
    requestsPerSecond: raw.requests / durationS,
    errors: {
      connect: raw.connect,
      read: raw.read,
      write: raw.write,
      timeout: raw.timeout,
      status: raw.status,
    },
    latencyMs: { p50: raw.p50, p90: raw.p90, p99: raw.p99, max: raw.max, mean: raw.mean },
    curve: raw.curve,
  };
}

export const wrkErrorCount = (r: WrkResult) =>
  r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout + r.errors.status;

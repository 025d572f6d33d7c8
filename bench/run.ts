/**
 * npm run bench [-- --quick] [-- --only hotpath,faults]: runs every part as a child process with `--json`,
 * writes bench/results/<timestamp>.json and regenerates BENCHMARKS.md with SVG charts.
 * A part whose script does not exist is reported "not run"; nothing is ever filled in by hand.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchResult, machineInfo } from './lib/bench-output';
import { ROOT } from './lib/app-process';
import { keepSoakSection } from './report/soak-section';
import { PartOutcome, RunRecord, renderReport } from './report/markdown-report';

interface PartSpec {
  part: string;
  title: string;
  script: string;
  /** Wall-clock limits (s); the child's whole process group is killed past them. */
  budget: { quick: number; full: number };
  /** Extra arguments of the full profile (each is printed in the part's notes by the part itself). */
  fullArgs?: string[];
}

const PARTS: PartSpec[] = [
  {
    part: 'hotpath',
    title: '1. Hot path: LLM-miss overhead and cached reads at 200 requests/s',
    script: 'bench/hotpath.bench.ts',
    budget: { quick: 60, full: 180 },
  },
  {
    part: 'cache',
    title: '1b. Cached search vs bare Fastify + ioredis',
    script: 'bench/cache.bench.ts',
    budget: { quick: 60, full: 180 },
  },
  {
    part: 'concurrency',
    title: '2. Concurrency: 10,000 keep-alive connections',
    script: 'bench/concurrency.bench.ts',
    budget: { quick: 90, full: 300 },
  },
  {
    part: 'assist',
    title: '3a. Latency budgets (/init, /query, /reply)',
    script: 'bench/assist.bench.ts',
    budget: { quick: 60, full: 240 },
  },
  {
    part: 'cost',
    title: '3b. Cost replay: cache off vs on',
    script: 'bench/cost.bench.ts',
    budget: { quick: 60, full: 240 },
  },
  {
    part: 'ingest',
    title: '4. Ingest scale and peak RSS',
    script: 'bench/ingest.bench.ts',
    budget: { quick: 120, full: 720 },
    // 10k-200k tickets: /init prefetch off, since each prefetched bundle searches the Qdrant double by brute
    // force, which is not what Qdrant costs; the quick profile measures ingest with prefetch on.
    fullArgs: ['--prefetch=off'],
  },
  { part: 'faults', title: '5. Faults', script: 'bench/faults.bench.ts', budget: { quick: 150, full: 1080 } },
  {
    part: 'abuse',
    title: '6. Abuse: fuzzed input and cross-company sweep',
    script: 'bench/abuse.bench.ts',
    budget: { quick: 60, full: 240 },
  },
  {
    part: 'erase',
    title: "7. Company erasure under another company's load",
    script: 'bench/erase.bench.ts',
    budget: { quick: 300, full: 1200 },
  },
];

function parseArgs(argv: string[]): { quick: boolean; only?: Set<string> } {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  const raw = at < 0 ? undefined : argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  const only = raw
    ? new Set(
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : undefined;
  for (const name of only ?? []) {
    if (!PARTS.some((p) => p.part === name))
      throw new Error(`--only: unknown part "${name}" (parts: ${PARTS.map((p) => p.part).join(', ')})`);
  }
  return { quick: argv.includes('--quick'), only };
}

function runPart(spec: PartSpec, input: { quick: boolean; jsonFile: string }): Promise<PartOutcome> {
  const started = Date.now();
  const base = { part: spec.part, title: spec.title, script: spec.script };
  if (!existsSync(join(ROOT, spec.script))) {
    return Promise.resolve({
      ...base,
      status: 'not run',
      durationS: 0,
      reason: `${spec.script} does not exist yet`,
    });
  }
  const limitS = input.quick ? spec.budget.quick : spec.budget.full;
  console.log(`\n=== ${spec.title} (${spec.script}, limit ${limitS} s) ===`);
  const args = [
    '--require',
    './bench/swc-register.js',
    spec.script,
    '--json',
    input.jsonFile,
    ...(input.quick ? ['--quick'] : (spec.fullArgs ?? [])),
  ];
  // Own process group: on timeout the part and every process it started (apps, servers) are killed together.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  const relay = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    stream.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', relay(process.stdout));
  child.stderr?.on('data', relay(process.stderr));
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, limitS * 1000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      killGroup(); // leftovers of a part that exited without cleaning up
      stopOwnPostgres(started);
      const durationS = (Date.now() - started) / 1000;
      const result = existsSync(input.jsonFile)
        ? (JSON.parse(readFileSync(input.jsonFile, 'utf8')) as BenchResult)
        : undefined;
      rmSync(input.jsonFile, { force: true });
      // The error line itself, not the stack under it.
      const lines = tail.trim().split('\n');
      const errorLine = lines.find((l) => /^\w*Error\b|Error:/.test(l.trim()));
      const lastLines = [errorLine, ...lines.slice(-4)].filter(Boolean).join('\n');
      if (timedOut)
        resolve({ ...base, status: 'timeout', durationS, result, reason: `killed after ${limitS} s` });
      else if (code !== 0 || !result)
        resolve({ ...base, status: 'failed', durationS, result, reason: `exit ${code}: ${lastLines}` });
      else resolve({ ...base, status: 'ok', durationS, result });
    });
  });
}

/**
 * pg_ctl daemonizes PostgreSQL out of the part's process group, so a part killed on timeout would leave its
 * private cluster running: stop the clusters this part created (data dirs named sc-bench-pg-*, newer than it).
 */
function stopOwnPostgres(since: number): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('sc-bench-pg-')) continue;
    const dir = join(tmpdir(), name);
    if (statSync(dir).ctimeMs < since - 1000) continue;
    const pidFile = join(dir, 'postmaster.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
      } catch {
        // already stopped
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const loadAtStart = loadavg();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const parts: PartOutcome[] = [];
  for (const spec of PARTS) {
    if (args.only && !args.only.has(spec.part)) continue;
    parts.push(
      await runPart(spec, { quick: args.quick, jsonFile: join(resultsDir, `${stamp}-${spec.part}.tmp`) }),
    );
  }
  const run: RunRecord = {
    startedAt: started.toISOString(),
    profile: args.quick ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationS: (Date.now() - started.getTime()) / 1000,
    machine: machineInfo(),
    loadAverage: loadAtStart,
    parts,
  };
  const resultFile = join(resultsDir, `${stamp}.json`);
  writeFileSync(resultFile, JSON.stringify(run, null, 2));
  const report = renderReport(run, { chartDir: join(resultsDir, 'charts'), reportDir: ROOT, resultFile });
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), keepSoakSection(report, join(ROOT, 'BENCHMARKS.md')));
  console.log(`\n${parts.map((p) => `${p.status.padEnd(8)} ${p.title}`).join('\n')}`);
  console.log(`\nwrote ${resultFile} and BENCHMARKS.md (${Math.round(run.durationS)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

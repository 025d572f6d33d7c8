import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { printTable } from './stats';

/** One measured promise: `pass` is null when the row is informative only (no target). */
export interface BenchRow {
  name: string;
  target: string | null;
  value: number | string;
  unit: string;
  pass: boolean | null;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
}

/** The contract every bench script honours with `--json <file>` (see the shared bench output contract). */
export interface BenchResult {
  part: string;
  machine?: MachineInfo;
  rows: BenchRow[];
  series?: Record<string, unknown>;
  notes?: string[];
}

export interface BenchArgs {
  quick: boolean;
  json?: string;
}

export function parseBenchArgs(argv: string[] = process.argv.slice(2)): BenchArgs {
  const jsonAt = argv.indexOf('--json');
  return { quick: argv.includes('--quick'), json: jsonAt >= 0 ? argv[jsonAt + 1] : undefined };
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Row with a target "≤ limit": pass when the measured value is at most the limit. */
/** `decimals`: shown to that many places instead of round()'s, for a value whose verdict turns on them. */
export function atMost(input: {
  name: string;
  value: number;
  limit: number;
  unit: string;
  decimals?: number;
}): BenchRow {
  return {
    name: input.name,
    target: `≤ ${input.limit} ${input.unit}`.trim(),
    value:
      input.decimals === undefined || !Number.isFinite(input.value)
        ? round(input.value)
        : Number(input.value.toFixed(input.decimals)),
    unit: input.unit,
    pass: Number.isFinite(input.value) && input.value <= input.limit,
  };
}

export function info(input: { name: string; value: number | string; unit: string }): BenchRow {
  return {
    name: input.name,
    target: null,
    value: typeof input.value === 'number' ? round(input.value) : input.value,
    unit: input.unit,
    pass: null,
  };
}

export function verdict(input: {
  name: string;
  target: string;
  value: number | string;
  unit: string;
  pass: boolean;
}): BenchRow {
  return { ...input, value: typeof input.value === 'number' ? round(input.value) : input.value };
}

export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

/** Writes the JSON file only (no table): long parts call it as they go, so a timeout keeps what finished. */
export function writeJsonResult(result: BenchResult, args: BenchArgs): void {
  if (!args.json) return;
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, JSON.stringify({ machine: machineInfo(), ...result }, null, 2));
}

/** Prints the human table and writes the JSON file when `--json` was given. */
export function emitResult(result: BenchResult, args: BenchArgs): void {
  console.log(`\n${result.part}`);
  printTable(
    result.rows.map((r) => ({
      name: r.name,
      target: r.target ?? '-',
      value: typeof r.value === 'number' ? r.value : r.value,
      unit: r.unit,
      pass: r.pass === null ? '-' : r.pass ? 'PASS' : 'FAIL',
    })),
  );
  for (const note of result.notes ?? []) console.log(`note: ${note}`);
  if (args.json) {
    mkdirSync(dirname(args.json), { recursive: true });
    writeFileSync(args.json, JSON.stringify({ machine: machineInfo(), ...result }, null, 2));
  }
}

/** Latency samples as [percentile, ms] points (1..100 and 99.9): what the charts draw, without every sample. */
export function latencyCurve(samples: number[]): Array<[number, number]> {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return [...Array.from({ length: 99 }, (_, i) => i + 1), 99.9, 100].map((p) => [p, round(at(p))]);
}

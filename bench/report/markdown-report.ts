import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BenchResult, BenchRow, MachineInfo } from '../lib/bench-output';
import { ChartSeries, LineChart, renderLineChart } from './svg-chart';

export type PartStatus = 'ok' | 'failed' | 'timeout' | 'not run';

export interface PartOutcome {
  part: string;
  title: string;
  script: string;
  status: PartStatus;
  durationS: number;
  result?: BenchResult;
  /** Why the part did not run or failed (missing script, exit code, last output lines). */
  reason?: string;
}

export interface RunRecord {
  startedAt: string;
  profile: 'full' | 'quick';
  command: string;
  durationS: number;
  machine: MachineInfo;
  /** Other load on the machine while the run happened (load average at start), stated with the numbers. */
  loadAverage: number[];
  parts: PartOutcome[];
}

type Points = Array<[number, number]>;

const isNumberArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
const isPairArray = (v: unknown): v is Points =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number'));
const isNumericRecordArray = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every((o) => typeof o === 'object' && o !== null && !Array.isArray(o));

/** Raw latency samples become a percentile curve (x: percentile, y: ms). */
function percentileCurve(samples: number[]): Points {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return [...Array.from({ length: 100 }, (_, i) => i + 1), 99.9].sort((a, b) => a - b).map((p) => [p, at(p)]);
}

function asSeries(name: string, value: unknown): ChartSeries[] | undefined {
  if (isPairArray(value)) return [{ name, points: value }];
  if (isNumberArray(value)) return [{ name, points: percentileCurve(value) }];
  if (isNumericRecordArray(value)) {
    const keys = Object.keys(value[0]).filter((k) => typeof value[0][k] === 'number');
    if (keys.length < 2) return undefined;
    const [x, ...ys] = keys;
    return ys.map((y) => ({
      name: ys.length === 1 ? name : y,
      points: value.map((o) => [Number(o[x]), Number(o[y])] as [number, number]),
    }));
  }
  return undefined;
}

/**
 * Turns a part's free-form `series` into charts. Understood shapes: an explicit chart
 * `{ title, xLabel, yLabel, series: { name: [[x, y], ...] }, logY? }`, samples (number[]) drawn as a percentile
 * curve, [x, y] pairs, rows of numbers (first numeric field is x), or a record of any of those (one line each).
 */
export function chartsFromSeries(part: string, series: Record<string, unknown> | undefined): LineChart[] {
  const charts: LineChart[] = [];
  for (const [key, value] of Object.entries(series ?? {})) {
    if (typeof value === 'object' && value !== null && 'title' in value && 'series' in value) {
      const spec = value as {
        title: string;
        xLabel?: string;
        yLabel?: string;
        logY?: boolean;
        series: Record<string, unknown>;
      };
      const lines = Object.entries(spec.series).flatMap(([name, v]) => asSeries(name, v) ?? []);
      charts.push({
        title: spec.title,
        xLabel: spec.xLabel ?? 'x',
        yLabel: spec.yLabel ?? 'y',
        logY: spec.logY,
        series: lines,
      });
      continue;
    }
    const direct = asSeries(key, value);
    if (direct) {
      const samples = isNumberArray(value);
      charts.push({
        title: `${part}: ${key}`,
        xLabel: samples ? 'percentile' : isNumericRecordArray(value) ? Object.keys(value[0])[0] : 'x',
        yLabel: samples ? 'ms' : 'value',
        series: direct,
      });
      continue;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      const lines = entries.flatMap(([name, v]) => asSeries(name, v) ?? []);
      if (lines.length === 0) continue;
      const samples = entries.every(([, v]) => isNumberArray(v));
      charts.push({
        title: `${part}: ${key}`,
        xLabel: samples ? 'percentile' : 'x',
        yLabel: samples ? 'ms' : 'value',
        series: lines,
      });
    }
  }
  return charts;
}

const cell = (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const verdictCell = (r: BenchRow) => (r.pass === null ? '—' : r.pass ? '✅ pass' : '❌ **miss**');
/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, '')
    .replace(/ /g, '-');
const fileSafe = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/** Writes one SVG per chart under `chartDir` and returns BENCHMARKS.md (links relative to `reportDir`). */
export function renderReport(
  run: RunRecord,
  paths: { chartDir: string; reportDir: string; resultFile: string },
): string {
  mkdirSync(paths.chartDir, { recursive: true });
  const m = run.machine;
  const rows = run.parts.flatMap((p) => p.result?.rows ?? []);
  const targets = rows.filter((r) => r.pass !== null);
  const missed = run.parts.flatMap((p) =>
    (p.result?.rows ?? []).filter((r) => r.pass === false).map((r) => ({ part: p.title, row: r })),
  );
  const out: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${run.profile === 'quick' ? ' -- --quick' : ''}\` (bench/run.ts) on ${run.startedAt}; ` +
      `raw results: [${relative(paths.reportDir, paths.resultFile)}](${relative(paths.reportDir, paths.resultFile)}). ` +
      'Every value below was measured in that run; a part whose script is missing or failed says so and shows no number.',
    '',
    '| machine | |',
    '| --- | --- |',
    `| CPU | ${m.cores} cores, ${cell(m.cpuModel)} |`,
    `| memory | ${m.memoryGb} GB |`,
    `| Node | ${m.node} (${m.platform}) |`,
    `| profile | ${run.profile} (${Math.round(run.durationS)} s in all) |`,
    `| load average at start | ${run.loadAverage.map((l) => l.toFixed(2)).join(' / ')} (other processes shared the cores) |`,
    '',
    `**Targets: ${targets.filter((r) => r.pass).length} of ${targets.length} met.** ` +
      `Parts: ${run.parts.filter((p) => p.status === 'ok').length} ran, ` +
      `${run.parts.filter((p) => p.status === 'not run').length} not run, ` +
      `${run.parts.filter((p) => p.status === 'failed' || p.status === 'timeout').length} failed.`,
    '',
    '| part | status | time |',
    '| --- | --- | --- |',
    ...run.parts.map(
      (p) =>
        `| [${p.title}](#${anchorOf(p.title)}) | ${p.status}${p.reason ? `: ${cell(p.reason.split('\n')[0].slice(0, 160))}` : ''} | ${Math.round(p.durationS)} s |`,
    ),
    '',
  ];
  for (const p of run.parts) {
    out.push(
      `## ${p.title}`,
      '',
      `\`${p.script}\` — ${p.status}${p.durationS ? `, ${Math.round(p.durationS)} s` : ''}`,
      '',
    );
    if (!p.result) {
      out.push(p.reason ? `Not measured: ${cell(p.reason.slice(0, 600))}` : 'Not measured.', '');
      continue;
    }
    out.push('| measure | target | measured | verdict |', '| --- | --- | --- | --- |');
    for (const r of p.result.rows)
      out.push(
        `| ${cell(r.name)} | ${cell(r.target ?? '—')} | ${cell(r.value)} ${cell(r.unit)} | ${verdictCell(r)} |`,
      );
    out.push('');
    for (const note of p.result.notes ?? []) out.push(`- ${note}`);
    if (p.result.notes?.length) out.push('');
    for (const chart of chartsFromSeries(p.part, p.result.series)) {
      const file = join(paths.chartDir, `${fileSafe(p.part)}-${fileSafe(chart.title)}.svg`);
      writeFileSync(file, renderLineChart(chart));
      out.push(`![${cell(chart.title)}](${relative(paths.reportDir, file)})`, '');
    }
  }
  out.push('## Missed targets', '');
  if (missed.length === 0 && run.parts.every((p) => p.status === 'ok')) out.push('None.', '');
  for (const { part, row } of missed)
    out.push(`- ${part} — ${row.name}: ${row.value} ${row.unit} (target ${row.target})`);
  for (const p of run.parts.filter((x) => x.status !== 'ok'))
    out.push(
      `- ${p.title}: ${p.status}, no measurement${p.reason ? ` (${cell(p.reason.split('\n')[0].slice(0, 200))})` : ''}`,
    );
  out.push('');
  return out.join('\n');
}

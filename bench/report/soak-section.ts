import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The soak's section of BENCHMARKS.md, between these markers: `npm run bench:soak` writes it, and `npm run bench`
 * (which regenerates the rest of the file) keeps it as it is.
 */
const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';

export function currentSoakSection(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  return from >= 0 && to > from ? text.slice(from, to + END.length) : undefined;
}

/** Replaces the soak section of `file` with `markdown` (appended when the file has none). */
export function writeSoakSection(file: string, markdown: string): void {
  const block = `${START}\n${markdown.trim()}\n${END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const current = currentSoakSection(file);
  writeFileSync(file, current ? text.replace(current, block) : `${text.trimEnd()}\n\n${block}\n`);
}

/** `report` (a regenerated BENCHMARKS.md) with the soak section of the file it replaces carried over. */
export function keepSoakSection(report: string, file: string): string {
  const current = currentSoakSection(file);
  return current ? `${report.trimEnd()}\n\n${current}\n` : report;
}

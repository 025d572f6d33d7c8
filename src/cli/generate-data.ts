import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { generateArticles, generateTickets } from './generate/support-data.generator';

/**
 * npm run generate:data -- --count 10000 [--kind tickets|articles] [--seed 42] [--korean-ratio 0.3]
 *   [--out tickets.jsonl[.gz]]
 * Writes generated tickets (or KB articles) as JSON lines, the input `npm run import` reads; stdout without --out.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000' },
      kind: { type: 'string', default: 'tickets' },
      seed: { type: 'string', default: '42' },
      'korean-ratio': { type: 'string', default: '0.3' },
      out: { type: 'string' },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const koreanRatio = Number(values['korean-ratio']);
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    !Number.isInteger(seed) ||
    !['tickets', 'articles'].includes(values.kind ?? '')
  ) {
    console.error(
      'usage: npm run generate:data -- --count <n> [--kind tickets|articles] [--seed n] [--korean-ratio 0..1] [--out file.jsonl[.gz]]',
    );
    process.exit(2);
  }
  const file = values.out;
  let output: Writable = process.stdout;
  // `| head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
  if (file) {
    const fileStream = createWriteStream(file);
    output = file.endsWith('.gz') ? createGzip() : fileStream;
    if (output !== fileStream) output.pipe(fileStream);
  }
  const items =
    values.kind === 'articles'
      ? generateArticles(count, { seed, koreanRatio })
      : generateTickets(count, { seed, koreanRatio });
  for (const item of items) {
    // Respect back-pressure so memory stays flat at any count.
    if (!output.write(`${JSON.stringify(item)}\n`)) await once(output, 'drain');
  }
  if (file) {
    output.end();
    await once(output, 'finish');
    console.error(`wrote ${count} ${values.kind} to ${file}`);
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

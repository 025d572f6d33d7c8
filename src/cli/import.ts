import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SingleBar, Presets } from 'cli-progress';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { ConfigHostModule } from '../app.module';
import { loadConfig } from '../config/config';
import { applyHeapGrowth } from '../bootstrap/heap-growth';
import { DatabaseModule } from '../database/database.module';
import { CompanyRepository } from '../modules/auth/api-key.repository';
import { TicketsModule } from '../modules/tickets/tickets.module';
import { TicketsService } from '../modules/tickets/tickets.service';
import type { TicketDto } from '../modules/tickets/dto/ticket.dto';
import { ImportFormat, parseTicketLine } from './import-lines';

const CHUNK = 500;
const MAX_LISTED_REJECTIONS = 50;

/**
 * npm run import -- --company <id> --file <path.jsonl[.gz]> [--format tickets|dataset]
 * Streams the file line by line into the store in chunks of 500: memory stays flat on any size. Stored rows
 * are `pending`; a running worker (or the next start) indexes them.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { company: { type: 'string' }, file: { type: 'string' }, format: { type: 'string', default: 'tickets' } },
  });
  if (!values.company || !values.file || !['tickets', 'dataset'].includes(values.format ?? '')) {
    console.error('usage: npm run import -- --company <company_id> --file <path.jsonl[.gz]> [--format tickets|dataset]');
    process.exit(2);
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  applyHeapGrowth(config.app.heapGrowingPercent);

  @Module({
    imports: [ConfigHostModule.register(config), DatabaseModule, TicketsModule],
    providers: [CompanyRepository],
  })
  class ImportModule {}
  const app = await NestFactory.createApplicationContext(ImportModule, { logger: ['error', 'warn'] });
  const companies = app.get(CompanyRepository);
  if (!(await companies.exists(values.company))) {
    console.error(`company '${values.company}' does not exist: create it with POST /api/v1/admin/companies first`);
    await app.close();
    process.exit(1);
  }
  const tickets = app.get(TicketsService);
  const file = values.file;
  const size = statSync(file).size;
  const bar = new SingleBar({ format: 'import |{bar}| {percentage}% | {lines} lines | {stored} stored | {rejected} rejected' }, Presets.shades_classic);
  bar.start(size, 0, { lines: 0, stored: 0, rejected: 0 });

  let bytes = 0;
  const raw = createReadStream(file);
  raw.on('data', (chunk) => {
    bytes += chunk.length;
  });
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });

  let lineNo = 0;
  let upserted = 0;
  let unchanged = 0;
  const rejected: Array<{ line: number; errors: string[] }> = [];
  let rejectedCount = 0;
  let batch: TicketDto[] = [];
  const seen = new Map<string, number>();

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await tickets.upsertTickets(values.company!, batch);
    upserted += result.upserted;
    unchanged += result.unchanged;
    batch = [];
    seen.clear();
    bar.update(bytes, { lines: lineNo, stored: upserted + unchanged, rejected: rejectedCount });
  };

  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    const parsed = await parseTicketLine(line, values.format as ImportFormat);
    if (!parsed.ticket) {
      rejectedCount += 1;
      if (rejected.length < MAX_LISTED_REJECTIONS) rejected.push({ line: lineNo, errors: parsed.errors ?? [] });
      continue;
    }
    // A later line with the same id replaces an earlier one in the same chunk (last write wins).
    const existing = seen.get(parsed.ticket.ticket_id);
    if (existing !== undefined) batch[existing] = parsed.ticket;
    else {
      seen.set(parsed.ticket.ticket_id, batch.length);
      batch.push(parsed.ticket);
    }
    if (batch.length >= CHUNK) await flush();
  }
  await flush();
  bar.update(size, { lines: lineNo, stored: upserted + unchanged, rejected: rejectedCount });
  bar.stop();

  console.log(`\n${lineNo} lines: ${upserted} stored (new or changed), ${unchanged} unchanged, ${rejectedCount} rejected`);
  for (const r of rejected) console.log(`  line ${r.line}: ${r.errors.join('; ')}`);
  if (rejectedCount > rejected.length) console.log(`  … and ${rejectedCount - rejected.length} more rejected lines`);
  await app.close();
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Presets, SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../bootstrap/create-app';
import { applyHeapGrowth } from '../bootstrap/heap-growth';
import { loadConfig } from '../config/config';
import { TicketPrefetchListener } from '../modules/assist/ticket-prefetch.listener';
import { AdminKeyService } from '../modules/auth/admin-key.service';
import { countIndexed, demoData, demoExamples, TicketPage } from './demo-example';
import { inBatches } from './generate/support-data.generator';

const COMPANY = 'demo';
const BATCH = 100;

/**
 * npm run demo [-- --tickets 300 --articles 40 --port 3000 --once]
 * Starts the whole application in embedded mode (SQLite, in-memory cache, in-process queue, embedded vector
 * index, local models: nothing to install), creates the `demo` company, loads generated English and Korean
 * tickets and articles, waits for them to be indexed, and prints the API key with curl commands for /init,
 * /query and a streamed /reply. Keeps serving until Ctrl+C (`--once`: exit after printing).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tickets: { type: 'string', default: '300' },
      articles: { type: 'string', default: '40' },
      port: { type: 'string', default: process.env.PORT ?? '3000' },
      once: { type: 'boolean', default: false },
    },
  });
  const ticketCount = Number(values.tickets);
  const articleCount = Number(values.articles);
  if (
    !Number.isInteger(ticketCount) ||
    ticketCount < 1 ||
    !Number.isInteger(articleCount) ||
    articleCount < 1
  ) {
    console.error('usage: npm run demo -- [--tickets n] [--articles n] [--port n] [--once]');
    process.exit(2);
  }
  // Embedded mode whatever the shell exports: the demo must run on a bare machine.
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    PORT: values.port,
    DATA_DIR: process.env.DEMO_DATA_DIR ?? './data/demo',
    RECONCILE_INTERVAL_MS: '600000',
  });
  applyHeapGrowth(config.app.heapGrowingPercent);
  console.log(`Starting Support Copilot in ${config.mode} mode (data in ${config.app.dataDir}) ...`);
  const app = await createApp(config);
  await app.listen({ port: config.app.port, host: '127.0.0.1' });
  const url = `http://localhost:${config.app.port}`;
  // Embedded mode generates the admin key on the first start and keeps it in the data folder.
  const admin =
    app.get(AdminKeyService).generatedKey ??
    readFileSync(join(config.app.dataDir, 'admin-api-key'), 'utf8').trim();

  const apiKey = await companyKey(app, admin);
  const { tickets, articles } = demoData({ tickets: ticketCount, articles: articleCount });
  for (const batch of inBatches(articles, BATCH)) {
    await send(app, apiKey, 'PUT', '/api/v1/articles', { articles: batch });
  }
  // Bundles list related articles: let articles become searchable before tickets are indexed and prefetched.
  for (;;) {
    const found = await send(app, apiKey, 'POST', '/api/v1/search', {
      query: 'refund order account',
      data_types: ['articles'],
      limit: 50,
    });
    if ((found.body.results as unknown[]).length >= Math.min(articles.length, 50)) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  for (const batch of inBatches(tickets, BATCH)) {
    await send(app, apiKey, 'PUT', '/api/v1/tickets', { tickets: batch });
  }

  // Storing queues indexing; follow it until every ticket is indexed and its /init bundle prefetched.
  const bar = new SingleBar(
    { format: 'indexing |{bar}| {value}/{total} tickets  {duration}s' },
    Presets.shades_classic,
  );
  bar.start(tickets.length, 0);
  for (;;) {
    const indexed = await countIndexed(
      async (url) => (await send(app, apiKey, 'GET', url)).body as unknown as TicketPage,
    );
    bar.update(indexed);
    if (indexed >= tickets.length) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  bar.stop();
  // Each indexed batch drops the company's bundles (their similar tickets changed): build them all now.
  const prefetch = app.get(TicketPrefetchListener);
  await prefetch.whenIdle();
  await prefetch.prefetch({ companyId: COMPANY, ticketIds: tickets.map((t) => t.ticket_id) });

  const { english, korean, question } = demoExamples(tickets);
  const auth = `-H "Authorization: Bearer ${apiKey}" -H 'content-type: application/json'`;
  console.log(
    [
      '',
      `Ready: ${tickets.length} tickets and ${articles.length} articles indexed for company "${COMPANY}".`,
      `API:  ${url}    docs: ${url}/docs`,
      `API key: ${apiKey}`,
      '',
      '# open a ticket: summary, similar tickets, articles and a session (prefetched: X-Cache: HIT)',
      `curl -si ${url}/api/v1/init ${auth} -d '{"ticket_id":"${english.ticket_id}"}'`,
      '',
      "# ask the customer's question (paste the session_id from /init to use the ticket as context)",
      `curl -s ${url}/api/v1/query ${auth} -d '${JSON.stringify({ query: question, session_id: '<session_id>' })}'`,
      '',
      '# draft a reply, streamed as server-sent events',
      `curl -N ${url}/api/v1/reply ${auth} -H 'Accept: text/event-stream' -d '{"ticket_id":"${english.ticket_id}"}'`,
      ...(korean
        ? [
            '',
            '# a Korean ticket gets a Korean draft',
            `curl -s ${url}/api/v1/reply ${auth} -d '{"ticket_id":"${korean.ticket_id}"}'`,
          ]
        : []),
      '',
      values.once ? 'Exiting (--once).' : 'Serving until Ctrl+C.',
    ].join('\n'),
  );
  if (values.once) {
    await app.close();
    return;
  }
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The demo company's key: created on the first run, a new key on later runs (keys are shown only once). */
async function companyKey(app: NestFastifyApplication, admin: string): Promise<string> {
  const created = await send(
    app,
    admin,
    'POST',
    '/api/v1/admin/companies',
    { company_id: COMPANY, name: 'Demo' },
    [201, 409],
  );
  if (created.status === 201) return created.body.api_key as string;
  const issued = await send(
    app,
    admin,
    'POST',
    `/api/v1/admin/companies/${COMPANY}/api-keys`,
    {},
    [200, 201],
  );
  return issued.body.api_key as string;
}

async function send(
  app: NestFastifyApplication,
  key: string,
  method: 'GET' | 'PUT' | 'POST',
  url: string,
  body?: object,
  expected: number[] = [200],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}` },
    ...(body ? { payload: body } : {}),
  });
  if (!expected.includes(response.statusCode)) {
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  }
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

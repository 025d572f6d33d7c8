/**
 * npm run bench:llm — against the fake OpenAI server on localhost:
 * 1. overhead the LLM module adds over a raw SDK call (open-loop arrivals at 200 requests/s, p50/p99);
 * 2. BatchProcessor throughput against upstream latency L and concurrency C (target ≥ 0.9 × C/L items/s).
 */
import OpenAI from 'openai';
import { BatchProcessor } from '../src/modules/llm/batch-processor.service';
import { LlmService } from '../src/modules/llm/llm.service';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';
import { createLlmContext } from './lib/llm-context';
import { percentile, printTable } from './lib/stats';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const UPSTREAM_LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
/** Items per batch run = C × rounds: enough rounds that ramp-up and the last partial round stay small. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const SKIP_OVERHEAD = process.env.BENCH_SKIP_OVERHEAD === '1';

/** Fires `count` calls at a fixed rate (open loop: a slow call does not delay the next one). */
async function openLoop(count: number, rate: number, call: (i: number) => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(call(i).then(() => undefined));
  }
  await Promise.all(pending);
}

async function overhead(fake: FakeOpenAiServer): Promise<void> {
  fake.configure({ latencyMs: UPSTREAM_LATENCY_MS, tokenDelayMs: 0 });
  const client = new OpenAI({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 });
  const app = await createLlmContext({
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: fake.url,
    LLM_MAX_CONCURRENCY: '512',
    LLM_BACKGROUND_CONCURRENCY: '64',
  });
  const llm = app.get(LlmService);
  const question = (i: number) => `How do I reset the password for account number ${i}?`;
  const sources = [
    {
      ref: 1,
      id: 'ticket:T-1',
      kind: 'ticket' as const,
      text: 'Open Settings, choose Reset password and follow the emailed link.',
    },
  ];

  // Warm both paths (connections, JIT, tokenizer ranks) before measuring.
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: question(-i) }],
      }),
    ),
  );
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      llm.answer({ companyId: 'bench', question: question(-100 - i), sources }),
    ),
  );

  // Interleaved (even: raw SDK, odd: module) in one open loop, so both paths see the same machine load.
  const raw: number[] = [];
  const viaModule: number[] = [];
  await openLoop(REQUESTS * 2, RATE, async (i) => {
    const t0 = performance.now();
    if (i % 2 === 0) {
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Answer from the sources.' },
          { role: 'user', content: `${sources[0].text}\n\n${question(i)}` },
        ],
      });
      raw.push(performance.now() - t0);
    } else {
      await llm.answer({ companyId: `company-${i % 10}`, question: question(i), sources });
      viaModule.push(performance.now() - t0);
    }
  });
  await app.close();

  console.log(
    `\nOverhead over the raw SDK: ${REQUESTS} requests per path, interleaved, ${RATE} requests/s in all, ` +
      `fake upstream latency ${UPSTREAM_LATENCY_MS} ms`,
  );
  const row = (name: string, values: number[]) => ({
    path: name,
    'p50 ms': percentile(values, 50),
    'p99 ms': percentile(values, 99),
    'max ms': percentile(values, 100),
  });
  printTable([
    row('raw SDK', raw),
    row('LlmService.answer', viaModule),
    {
      path: 'added by module',
      'p50 ms': percentile(viaModule, 50) - percentile(raw, 50),
      'p99 ms': percentile(viaModule, 99) - percentile(raw, 99),
      'max ms': Number.NaN,
    },
  ]);
}

/** Reference: `workers` loops calling the raw SDK back to back, what the machine allows with no module at all. */
async function rawWorkerPool(
  fake: FakeOpenAiServer,
  shape: { workers: number; items: number },
): Promise<number> {
  const client = new OpenAI({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 });
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < shape.items) {
      const i = next++;
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `raw ${i}` }],
      });
    }
  };
  await Promise.all(Array.from({ length: shape.workers }, worker));
  return (shape.items * 1000) / (performance.now() - started);
}

async function batchThroughput(fake: FakeOpenAiServer): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const latency of [100, 250]) {
    for (const concurrency of [5, 10, 20]) {
      fake.reset();
      fake.configure({ latencyMs: latency, tokenDelayMs: 0, failureRate: 0 });
      const app = await createLlmContext({
        OPENAI_API_KEY: 'bench',
        OPENAI_BASE_URL: fake.url,
        LLM_MAX_CONCURRENCY: '128',
        LLM_BACKGROUND_CONCURRENCY: '64',
        LLM_BATCH_DELAY_MS: '0',
      });
      const llm = app.get(LlmService);
      const batch = app.get(BatchProcessor);
      const items = Array.from(
        { length: concurrency * ROUNDS },
        (_, i) => `Ticket ${i}: the CSV export fails with error ${i}.`,
      );
      const outcome = await batch.process({
        items,
        handle: (text) => llm.summarize({ companyId: `company-${text.length % 3}`, text }),
        options: { maxConcurrent: concurrency, batchSize: 10 },
      });
      await app.close();
      const rawPerSecond = await rawWorkerPool(fake, { workers: concurrency, items: items.length });
      const ideal = (concurrency * 1000) / latency;
      rows.push({
        'L ms': latency,
        C: concurrency,
        items: items.length,
        failed: outcome.stats.failed,
        'items/s': outcome.stats.itemsPerSecond,
        'C/L': ideal,
        ratio: outcome.stats.itemsPerSecond / ideal,
        'raw SDK pool items/s': rawPerSecond,
        'vs raw': outcome.stats.itemsPerSecond / rawPerSecond,
        'fake max in flight': fake.counters.maxInFlight,
      });
    }
  }
  console.log(
    '\nBatchProcessor throughput (batch_size 10, no delay between batches, summaries through LlmService)',
  );
  printTable(rows);
}

async function main(): Promise<void> {
  const fake = await FakeOpenAiServer.start();
  try {
    if (!SKIP_OVERHEAD) await overhead(fake);
    await batchThroughput(fake);
  } finally {
    await fake.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

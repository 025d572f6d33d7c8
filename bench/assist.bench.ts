/**
 * npm run bench:assist [-- --quick] [--json <file>]
 * The Assist latency budgets with an LLM that takes 5 s per completion (the OpenAI double streams its tokens
 * over those 5 s), in services mode (PostgreSQL + Redis, embedded vector index):
 * - /init of indexed tickets (prefetched bundle: p95 ≤ 50 ms) and of never-seen ones (p95 ≤ 2 s);
 * - /query and /reply streamed: time to first token (p95 ≤ 1 s) and total; JSON within their budgets;
 * - cached replays of /query and /reply, JSON and SSE (p95 ≤ 50 ms).
 */
import { generateArticles, generateTickets } from '../src/cli/generate/support-data.generator';
import { FakeOpenAiServer } from '../test/fakes/openai.fake-server';
import { readEventStream, startAssistApp } from './lib/assist-app';
import { atMost, BenchRow, emitResult, info, parseBenchArgs } from './lib/bench-output';
import { percentile } from './lib/stats';

const COMPLETION_MS = 5_000;
/** Time to the first byte of any upstream call (and all of an embedding call). */
const UPSTREAM_LATENCY_MS = 150;

const QUESTIONS = [
  'How long does a refund take to reach my card?',
  'What should I do when a parcel is marked delivered but never arrived?',
  'How can a customer reset a forgotten password?',
  'Can an order be cancelled after it has shipped?',
  'Why was the customer charged twice?',
  'How do I change the delivery address of an order?',
  'What is the warranty period for a broken device?',
  'How do I delete my account and personal data?',
  '환불은 보통 며칠 걸리나요?',
  '비밀번호를 잊어버렸을 때 어떻게 하나요?',
  'Is express shipping available internationally?',
  'How do I apply a discount code that was rejected?',
  'What happens to my subscription when I downgrade?',
  'How can the invoice address be corrected?',
  'Where do I find the tracking number?',
];

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const sizes = args.quick
    ? { tickets: 60, articles: 15, initSamples: 60, unseen: 8, streams: 5 }
    : { tickets: 300, articles: 40, initSamples: 300, unseen: 25, streams: 15 };
  const fake = await FakeOpenAiServer.start({ latencyMs: UPSTREAM_LATENCY_MS, embeddingDimension: 64 });
  const bench = await startAssistApp({
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: fake.url,
    LLM_EMBEDDING_DIMENSION: '64',
    LLM_MAX_CONCURRENCY: '64',
    LLM_BACKGROUND_CONCURRENCY: '32',
  });
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  try {
    const key = await bench.createCompany('bench-assist');
    const call = (path: string, body: unknown, headers?: Record<string, string>) =>
      bench.call({ method: 'POST', path, key, body, headers });
    const stream = async (path: string, body: unknown) => {
      const started = performance.now();
      const response = await fetch(`${bench.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return { cache: response.headers.get('x-cache'), ...(await readEventStream(response, started)) };
    };

    // Setup with a fast model: indexing is not what this bench measures.
    console.log(`setup: ${sizes.tickets} tickets, ${sizes.articles} articles ...`);
    const tickets = [...generateTickets(sizes.tickets, { seed: 11, koreanRatio: 0.3, idPrefix: 'BA-' })];
    const articles = [...generateArticles(sizes.articles, { seed: 11, koreanRatio: 0.3 })];
    await bench.putArticles(key, articles);
    // One request, so one indexing chunk: each indexed chunk drops the bundles prefetched before it.
    await bench.call({ method: 'PUT', path: '/api/v1/tickets', key, body: { tickets } });
    await bench.waitIndexed(key, tickets.length);
    fake.configure({ completionMs: COMPLETION_MS });
    console.log(`measuring with ${COMPLETION_MS} ms per completion ...`);

    // 1. /init of indexed tickets: served from the bundle prefetched at indexing.
    const indexedMs: number[] = [];
    let hits = 0;
    for (let i = 0; i < sizes.initSamples; i++) {
      const res = await call('/api/v1/init', { ticket_id: tickets[i % tickets.length].ticket_id });
      if (res.status !== 200) throw new Error(`/init: ${res.status}`);
      indexedMs.push(res.ms);
      if (res.headers.get('x-cache') === 'HIT') hits++;
    }
    rows.push(info({ name: '/init indexed p50', value: percentile(indexedMs, 50), unit: 'ms' }));
    rows.push(atMost({ name: '/init indexed p95', value: percentile(indexedMs, 95), limit: 50, unit: 'ms' }));
    rows.push(info({ name: '/init indexed cache hits', value: (100 * hits) / indexedMs.length, unit: '%' }));

    // 2. /init of tickets stored a moment ago: not indexed yet, their summaries take 5 s.
    const unseen = [...generateTickets(sizes.unseen, { seed: 12, koreanRatio: 0.3, idPrefix: 'BN-' })];
    const unseenMs: number[] = [];
    let extractive = 0;
    for (const ticket of unseen) {
      await bench.call({ method: 'PUT', path: '/api/v1/tickets', key, body: { tickets: [ticket] } });
      const res = await call('/api/v1/init', { ticket_id: ticket.ticket_id });
      if (res.status !== 200) throw new Error(`/init unseen: ${res.status}`);
      unseenMs.push(res.ms);
      if (res.body.summary_source === 'extractive') extractive++;
    }
    rows.push(info({ name: '/init never-seen p50', value: percentile(unseenMs, 50), unit: 'ms' }));
    rows.push(
      atMost({ name: '/init never-seen p95', value: percentile(unseenMs, 95), limit: 2_000, unit: 'ms' }),
    );
    rows.push(
      info({
        name: '/init never-seen extractive summaries',
        value: (100 * extractive) / unseen.length,
        unit: '%',
      }),
    );

    // Indexing them changes the company's data, which invalidates answers: let it settle before measuring answers.
    await bench.waitIndexed(key, tickets.length + unseen.length);

    // 3. Streamed /query and /reply (uncached), a group of agents at once.
    const sessions = await Promise.all(
      tickets
        .slice(0, sizes.streams)
        .map(async (t) => (await call('/api/v1/init', { ticket_id: t.ticket_id })).body.session_id as string),
    );
    const queryStreams = await Promise.all(
      sessions.map((session_id, i) =>
        stream('/api/v1/query', { query: QUESTIONS[i % QUESTIONS.length], session_id }),
      ),
    );
    const replyStreams = await Promise.all(
      tickets.slice(0, sizes.streams).map((t) => stream('/api/v1/reply', { ticket_id: t.ticket_id })),
    );
    for (const [name, runs] of [
      ['/query SSE', queryStreams],
      ['/reply SSE', replyStreams],
    ] as const) {
      const ttft = runs.map((r) => r.firstTokenMs);
      rows.push(info({ name: `${name} first token p50`, value: percentile(ttft, 50), unit: 'ms' }));
      rows.push(
        atMost({ name: `${name} first token p95`, value: percentile(ttft, 95), limit: 1_000, unit: 'ms' }),
      );
      rows.push(
        info({
          name: `${name} total p50`,
          value: percentile(
            runs.map((r) => r.totalMs),
            50,
          ),
          unit: 'ms',
        }),
      );
      const complete = runs.filter(
        (r) => r.events.at(-1)?.event === 'done' && !r.events.at(-1)?.data.partial,
      ).length;
      rows.push(
        info({ name: `${name} complete model answers`, value: `${complete}/${runs.length}`, unit: '' }),
      );
    }

    // 4. JSON /query and /reply, uncached: the model misses the deadline, the local answer meets the budget.
    const jsonQueries = await Promise.all(
      QUESTIONS.slice(0, sizes.streams).map((q) => call('/api/v1/query', { query: `${q} (json)` })),
    );
    const jsonReplies = await Promise.all(
      tickets
        .slice(sizes.streams, sizes.streams * 2)
        .map((t) => call('/api/v1/reply', { ticket_id: t.ticket_id })),
    );
    rows.push(
      atMost({
        name: '/query JSON uncached p95',
        value: percentile(
          jsonQueries.map((r) => r.ms),
          95,
        ),
        limit: 3_000,
        unit: 'ms',
      }),
    );
    rows.push(
      info({
        name: '/query JSON uncached partial',
        value: `${jsonQueries.filter((r) => r.body.partial).length}/${jsonQueries.length}`,
        unit: '',
      }),
    );
    rows.push(
      atMost({
        name: '/reply JSON uncached p95',
        value: percentile(
          jsonReplies.map((r) => r.ms),
          95,
        ),
        limit: 5_000,
        unit: 'ms',
      }),
    );
    rows.push(
      info({
        name: '/reply JSON uncached partial',
        value: `${jsonReplies.filter((r) => r.body.partial).length}/${jsonReplies.length}`,
        unit: '',
      }),
    );

    // 5. Cached replays: the streams above stored their answers; the late JSON answers fill in the background.
    await new Promise((resolve) => setTimeout(resolve, COMPLETION_MS + 500));
    const replay = {
      querySse: [] as number[],
      replySse: [] as number[],
      queryJson: [] as number[],
      replyJson: [] as number[],
    };
    let replayHits = 0;
    let replayCount = 0;
    for (let round = 0; round < (args.quick ? 4 : 10); round++) {
      for (let i = 0; i < sizes.streams; i++) {
        const q = await stream('/api/v1/query', {
          query: QUESTIONS[i % QUESTIONS.length],
          session_id: sessions[i],
        });
        const r = await stream('/api/v1/reply', { ticket_id: tickets[i].ticket_id });
        const qj = await call('/api/v1/query', { query: `${QUESTIONS[i % QUESTIONS.length]} (json)` });
        const rj = await call('/api/v1/reply', { ticket_id: tickets[sizes.streams + i].ticket_id });
        replay.querySse.push(q.totalMs);
        replay.replySse.push(r.totalMs);
        replay.queryJson.push(qj.ms);
        replay.replyJson.push(rj.ms);
        replayHits += [q.cache, r.cache, qj.headers.get('x-cache'), rj.headers.get('x-cache')].filter(
          (c) => c === 'HIT',
        ).length;
        replayCount += 4;
      }
    }
    rows.push(
      atMost({
        name: 'cached /query SSE replay p95',
        value: percentile(replay.querySse, 95),
        limit: 50,
        unit: 'ms',
      }),
    );
    rows.push(
      atMost({
        name: 'cached /reply SSE replay p95',
        value: percentile(replay.replySse, 95),
        limit: 50,
        unit: 'ms',
      }),
    );
    rows.push(
      atMost({
        name: 'cached /query JSON p95',
        value: percentile(replay.queryJson, 95),
        limit: 50,
        unit: 'ms',
      }),
    );
    rows.push(
      atMost({
        name: 'cached /reply JSON p95',
        value: percentile(replay.replyJson, 95),
        limit: 50,
        unit: 'ms',
      }),
    );
    rows.push(info({ name: 'replay cache hits', value: (100 * replayHits) / replayCount, unit: '%' }));
    notes.push(
      `OpenAI double: ${UPSTREAM_LATENCY_MS} ms to first byte, ${COMPLETION_MS} ms per completion; ${sizes.tickets} tickets; ` +
        `${sizes.streams} concurrent streams per route; services mode (PostgreSQL, Redis, embedded vector index).`,
    );
  } finally {
    await bench.close();
    await fake.close();
  }
  emitResult({ part: 'assist', rows, notes }, args);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);

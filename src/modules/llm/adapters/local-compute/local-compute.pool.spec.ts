import { join } from 'node:path';
import { summarizeExtractive } from '../../domain/extractive-summarizer';
import { hashingEmbed } from '../../domain/hashing-embedding';
import { TokenCounter } from '../../token-counter';
import { HashingEmbedder } from '../hashing.embedder';
import { LocalChatModel } from '../local.chat-model';
import { LocalComputePool } from './local-compute.pool';

/** The threads load the TypeScript sources through the same require hook the benchmarks use. */
const TS_HOOK = ['--require', join(__dirname, '../../../../../bench/swc-register.js')];

const TEXTS = [
  'My parcel was marked delivered yesterday but it is not at my door. The tracking number is 123.',
  '환불을 요청했는데 아직 카드로 돌아오지 않았습니다. 언제쯤 처리되나요?',
  'I was charged twice for the same order. Please refund the duplicate payment as soon as possible.',
  '',
];

describe('LocalComputePool', () => {
  let pool: LocalComputePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('computes the same vectors and summaries on its threads as in process', async () => {
    pool = new LocalComputePool({ threads: 2, execArgv: TS_HOOK });
    expect(pool.enabled).toBe(true);
    const [vectors, summaries] = await Promise.all([
      pool.embed(TEXTS, 384),
      Promise.all(TEXTS.map((text) => pool!.summarize(text, 120))),
    ]);
    expect(vectors).toHaveLength(TEXTS.length);
    TEXTS.forEach((text, i) => {
      expect(Array.from(vectors![i])).toEqual(Array.from(hashingEmbed(text, { dimension: 384 })));
      expect(summaries[i]).toBe(summarizeExtractive(text, { maxChars: 120 }).summary);
    });
  });

  it('answers concurrent calls over its threads, each with its own result', async () => {
    pool = new LocalComputePool({ threads: 2, execArgv: TS_HOOK });
    const many = Array.from({ length: 40 }, (_, i) => `ticket ${i}: ${TEXTS[i % 3]}`);
    const results = await Promise.all(many.map((text) => pool!.embed([text], 64)));
    results.forEach((result, i) =>
      expect(Array.from(result![0])).toEqual(Array.from(hashingEmbed(many[i], { dimension: 64 }))),
    );
  });

  it('hands calls back when its thread cannot start, and the models compute them in process', async () => {
    // No require hook: the thread cannot load its TypeScript entry and stops with an error.
    pool = new LocalComputePool({ threads: 1, execArgv: [] });
    const tokens = new TokenCounter();
    const embedder = new HashingEmbedder(128, tokens, pool);
    const chat = new LocalChatModel({ summaryMaxChars: 120, tokens, pool });

    const embedded = await embedder.embed({ companyId: 'acme', texts: TEXTS, priority: 'background' });
    expect(embedded.vectors.map((v) => Array.from(v))).toEqual(
      TEXTS.map((text) => Array.from(hashingEmbed(text, { dimension: 128 }))),
    );
    expect(pool.enabled).toBe(false);
    const summary = await chat.complete({
      companyId: 'acme',
      priority: 'background',
      purpose: 'summary',
      text: TEXTS[0],
    });
    expect(summary.text).toBe(summarizeExtractive(TEXTS[0], { maxChars: 120 }).summary);
  });

  it('leaves interactive calls on the event loop: only background work is handed to a thread', async () => {
    // A pool whose thread would fail to start shows whether a call ever reached it.
    pool = new LocalComputePool({ threads: 1, execArgv: [] });
    const tokens = new TokenCounter();
    const embedder = new HashingEmbedder(64, tokens, pool);
    const chat = new LocalChatModel({ summaryMaxChars: 120, tokens, pool });
    await embedder.embed({ companyId: 'acme', texts: ['where is my parcel?'], priority: 'interactive' });
    await chat.complete({ companyId: 'acme', priority: 'interactive', purpose: 'summary', text: TEXTS[0] });
    expect(pool.enabled).toBe(true);
    await embedder.embed({ companyId: 'acme', texts: ['where is my parcel?'], priority: 'background' });
    expect(pool.enabled).toBe(false);
  });

  it('stays off with no threads', async () => {
    pool = new LocalComputePool({ threads: 0, execArgv: TS_HOOK });
    expect(pool.enabled).toBe(false);
    await expect(pool.embed(['x'], 8)).resolves.toBeUndefined();
    await expect(pool.summarize('x', 8)).resolves.toBeUndefined();
  });
});

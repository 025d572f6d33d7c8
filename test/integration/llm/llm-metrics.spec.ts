import { MetricsService } from '../../../src/modules/metrics/metrics.service';
import { FakeOpenAiServer } from '../../fakes/openai.fake-server';
import { buildLlm } from './llm-test-kit';

/** Sum of the samples of `name` whose labels include `labels` (Prometheus text format). */
async function value(metrics: MetricsService, name: string, labels: Record<string, string> = {}) {
  const { body } = await metrics.scrape();
  let sum = 0;
  let found = false;
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => own[k] === v)) {
      sum += Number(match[3]);
      found = true;
    }
  }
  return found ? sum : undefined;
}

const question = {
  companyId: 'acme',
  question: 'How do I reset my password?',
  sources: [
    {
      ref: 1,
      id: 'ticket:T-1',
      kind: 'ticket' as const,
      text: 'Open Settings and choose Reset password to get a reset link by email.',
    },
  ],
};

const chat = { provider: 'openai', model: 'gpt-4o-mini', company_id: 'acme' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LLM metrics (fed by the resilient chat model and embedder)', () => {
  let fake: FakeOpenAiServer;
  beforeAll(async () => (fake = await FakeOpenAiServer.start()));
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.configure({ latencyMs: 0, tokenDelayMs: 0, failureRate: 0 });
  });

  it('records a plain call: outcome, duration, overhead, tokens and cost equal to the ledger', async () => {
    const { llm, ledger, metrics } = await buildLlm(fake);
    fake.configure({ latencyMs: 60 });
    await llm.answer(question);
    const used = ledger.sum();
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'success' })).toBe(1);
    expect(await value(metrics, 'llm_token_usage_total', { ...chat, token_type: 'prompt' })).toBe(
      used.promptTokens,
    );
    expect(await value(metrics, 'llm_token_usage_total', { ...chat, token_type: 'completion' })).toBe(
      used.completionTokens,
    );
    expect(used.costUsd).toBeGreaterThan(0);
    expect(await value(metrics, 'llm_cost_usd_total', chat)).toBeCloseTo(used.costUsd, 12);
    const duration = (await value(metrics, 'llm_request_duration_seconds_sum', chat))!;
    const overhead = (await value(metrics, 'llm_overhead_seconds_sum', chat))!;
    expect(duration).toBeGreaterThanOrEqual(0.055);
    // The upstream wait is the fake's 60 ms latency; the service's own share is what remains.
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(duration - 0.05);
    expect(await value(metrics, 'llm_time_to_first_token_seconds_count', chat)).toBeUndefined();
  });

  it('splits prompt tokens into those read in full and those the provider served from its prompt cache', async () => {
    const { llm, ledger, metrics } = await buildLlm(fake);
    // A prompt past the provider's 1,024-token caching threshold: many sources, each under the prompt budget's
    // share, with sentences of their own (the budget drops a sentence an earlier source already showed).
    const long = {
      ...question,
      sources: Array.from({ length: 40 }, (_, i) => ({
        ref: i + 1,
        id: `ticket:T-${i + 1}`,
        kind: 'ticket' as const,
        text:
          `Ticket ${i + 1}: to reset the password of account ${i + 1}, open Settings and choose Reset password. ` +
          `The reset link for account ${i + 1} arrives by email within ${i + 2} minutes and expires after ${i + 3} hours.`,
      })),
    };
    await llm.answer(long);
    await llm.answer({ ...long, question: 'And where do I find the reset link?' });
    const used = ledger.sum();
    expect(used.cachedPromptTokens).toBeGreaterThanOrEqual(1024);
    expect(await value(metrics, 'llm_token_usage_total', { ...chat, token_type: 'cached_prompt' })).toBe(
      used.cachedPromptTokens,
    );
    expect(await value(metrics, 'llm_token_usage_total', { ...chat, token_type: 'prompt' })).toBe(
      used.promptTokens - used.cachedPromptTokens,
    );
    expect(await value(metrics, 'llm_cost_usd_total', chat)).toBeCloseTo(used.costUsd, 12);
  });

  it('records a streamed call with its time to first token, leaving out time the consumer held it', async () => {
    const { llm, metrics } = await buildLlm(fake);
    fake.configure({ latencyMs: 80, tokenDelayMs: 5 });
    const started = performance.now();
    let tokens = 0;
    for await (const event of llm.streamAnswer(question)) {
      if (event.type === 'token') {
        tokens++;
        await sleep(40);
      }
    }
    const wallS = (performance.now() - started) / 1000;
    expect(tokens).toBeGreaterThan(3);
    const ttft = (await value(metrics, 'llm_time_to_first_token_seconds_sum', chat))!;
    const duration = (await value(metrics, 'llm_request_duration_seconds_sum', chat))!;
    expect(await value(metrics, 'llm_time_to_first_token_seconds_count', chat)).toBe(1);
    expect(ttft).toBeGreaterThanOrEqual(0.075);
    expect(ttft).toBeLessThan(duration);
    expect(duration).toBeLessThan(wallS - 0.9 * tokens * 0.04);
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'success' })).toBe(1);
    expect(
      await value(metrics, 'llm_token_usage_total', { ...chat, token_type: 'completion' }),
    ).toBeGreaterThan(0);
  });

  it('counts a stream the consumer leaves early as cancelled', async () => {
    const { llm, metrics } = await buildLlm(fake);
    fake.configure({ tokenDelayMs: 5 });
    for await (const event of llm.streamAnswer(question)) {
      if (event.type === 'token') break;
    }
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'cancelled' })).toBe(1);
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'success' })).toBeUndefined();
  });

  it('records each upstream embedding request with its embedding tokens and cost', async () => {
    const { llm, ledger, metrics } = await buildLlm(fake, { LLM_EMBED_BATCH_INPUTS: '2' });
    await llm.embed({ companyId: 'acme', texts: ['refund policy', 'reset password', 'billing address'] });
    const labels = { provider: 'openai', model: 'text-embedding-3-small', company_id: 'acme' };
    expect(await value(metrics, 'llm_requests_total', { ...labels, status: 'success' })).toBe(2);
    expect(await value(metrics, 'llm_token_usage_total', { ...labels, token_type: 'embedding' })).toBe(
      ledger.sum().embeddingTokens,
    );
    expect(await value(metrics, 'llm_cost_usd_total', labels)).toBeCloseTo(ledger.sum().costUsd, 12);
  });

  it('records every call a batch makes', async () => {
    const { llm, batch, metrics } = await buildLlm(fake);
    const texts = ['one refund', 'two refunds', 'three refunds', 'four refunds', 'five refunds'];
    const outcome = await batch.process({
      items: texts,
      handle: (text, signal) => llm.summarize({ companyId: 'acme', text, signal }),
      options: { batchSize: 2, maxConcurrent: 2 },
    });
    expect(outcome.stats.succeeded).toBe(5);
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'success' })).toBe(5);
    expect(await value(metrics, 'llm_request_duration_seconds_count', chat)).toBe(5);
  });

  it('labels failures by kind, fallbacks as local, and follows the breaker state', async () => {
    const { llm, metrics } = await buildLlm(fake, {
      LLM_MAX_RETRIES: '0',
      LLM_BREAKER_THRESHOLD: '3',
      LLM_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      LLM_CHAT_TIMEOUT_MS: '150',
    });
    expect(await value(metrics, 'circuit_breaker_state', { upstream: 'openai-chat' })).toBe(0);
    expect(await value(metrics, 'circuit_breaker_state', { upstream: 'openai-embeddings' })).toBe(0);

    fake.injectFaults([{ status: 429 }, { hang: true }, { status: 500 }], 'chat');
    for (let i = 0; i < 3; i++) {
      await expect(llm.answer({ ...question, question: `question ${i}` })).resolves.toMatchObject({
        source: 'local-fallback',
      });
    }
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'rate_limited' })).toBe(1);
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'timeout' })).toBe(1);
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'error' })).toBe(1);
    expect(await value(metrics, 'circuit_breaker_state', { upstream: 'openai-chat' })).toBe(2);

    // Open breaker: no request leaves; the call is counted as circuit_open, then answered locally.
    await llm.answer({ ...question, question: 'question 4' });
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'circuit_open' })).toBe(1);
    const local = { provider: 'local', company_id: 'acme', status: 'fallback' };
    expect(await value(metrics, 'llm_requests_total', local)).toBe(4);
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'success' })).toBeUndefined();
    expect(fake.counters.chatCalls + fake.counters.faults).toBe(3);
  });

  it('records a failed background call without a fallback', async () => {
    const { llm, metrics } = await buildLlm(fake);
    fake.injectFaults([{ status: 400 }], 'chat');
    await expect(llm.summarize({ companyId: 'acme', text: 'A ticket about a refund.' })).rejects.toThrow();
    expect(await value(metrics, 'llm_requests_total', { ...chat, status: 'error' })).toBe(1);
    expect(await value(metrics, 'llm_requests_total', { provider: 'local' })).toBeUndefined();
  });
});

describe('LLM metrics with the local provider', () => {
  it('records local chat, streams and embeddings as provider local, at no cost', async () => {
    const { llm, metrics } = await buildLlm(undefined);
    await llm.summarize({
      companyId: 'acme',
      text: 'The customer asked for a refund. We sent it the same day.',
    });
    for await (const _event of llm.streamAnswer(question)) {
      // drain
    }
    await llm.embed({ companyId: 'acme', texts: ['refund'] });
    const local = { provider: 'local', company_id: 'acme', status: 'success' };
    expect(await value(metrics, 'llm_requests_total', local)).toBe(3);
    expect(await value(metrics, 'llm_time_to_first_token_seconds_count', { provider: 'local' })).toBe(1);
    expect(
      await value(metrics, 'llm_token_usage_total', { provider: 'local', token_type: 'prompt' }),
    ).toBeGreaterThan(0);
    expect(await value(metrics, 'llm_cost_usd_total')).toBeUndefined();
    expect(await value(metrics, 'circuit_breaker_state')).toBeUndefined();
  });
});

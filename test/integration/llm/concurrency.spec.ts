import { setMaxListeners } from 'node:events';
import { FakeOpenAiServer } from '../../fakes/openai.fake-server';
import { buildLlm } from './llm-test-kit';

describe('bulkheads and single-flight against the fake server', () => {
  let fake: FakeOpenAiServer;
  beforeAll(async () => (fake = await FakeOpenAiServer.start()));
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.configure({ latencyMs: 0, tokenDelayMs: 0 });
  });

  it('shares one upstream call between 20 concurrent identical requests', async () => {
    fake.configure({ latencyMs: 50 });
    const { llm, ledger } = await buildLlm(fake);
    const request = {
      companyId: 'acme',
      text: 'Customer cannot download the invoice PDF from the billing page.',
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => llm.summarize(request)));
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    expect(fake.counters.chatCalls).toBe(1);
    expect(ledger.sum().calls).toBe(1);

    const embeds = await Promise.all(
      Array.from({ length: 20 }, () => llm.embed({ companyId: 'acme', texts: ['same text'] })),
    );
    expect(embeds).toHaveLength(20);
    expect(fake.counters.embeddingCalls).toBe(1);
    // Another company's identical request is its own call: nothing is shared across tenants.
    await llm.summarize({ ...request, companyId: 'other' });
    expect(fake.counters.chatCalls).toBe(2);
  });

  it('completes an interactive call while 1,000 background items are queued', async () => {
    fake.configure({ latencyMs: 40 });
    const { llm, lanes } = await buildLlm(fake, {
      LLM_MAX_CONCURRENCY: '4',
      LLM_BACKGROUND_CONCURRENCY: '2',
    });
    const backlog = new AbortController();
    setMaxListeners(2000, backlog.signal); // one job-wide signal watched by every queued item
    const background = Array.from({ length: 1000 }, (_, i) =>
      llm
        .embed({
          companyId: 'bulk',
          texts: [`document ${i}`],
          priority: 'background',
          signal: backlog.signal,
        })
        .then(
          () => 'done',
          () => 'aborted',
        ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lanes.stats().backgroundQueued).toBeGreaterThan(990);

    const started = Date.now();
    const answer = await llm.answer({ companyId: 'acme', question: 'Where is my invoice?', sources: [] });
    const elapsed = Date.now() - started;
    expect(answer.source).toBe('openai');
    expect(elapsed).toBeLessThan(400);
    expect(lanes.stats().backgroundQueued).toBeGreaterThan(950);
    expect(fake.counters.maxInFlight).toBeLessThanOrEqual(4);

    // Abandon the backlog: queued items leave the lane at once, in-flight ones are cancelled.
    backlog.abort();
    const outcomes = await Promise.all(background);
    expect(outcomes.filter((o) => o === 'aborted').length).toBeGreaterThan(950);
  });

  it('serves companies round-robin in the background lane', async () => {
    fake.configure({ latencyMs: 5 });
    const { llm } = await buildLlm(fake, { LLM_MAX_CONCURRENCY: '2', LLM_BACKGROUND_CONCURRENCY: '1' });
    const finished: string[] = [];
    const bulk = Array.from({ length: 40 }, (_, i) =>
      llm.embed({ companyId: 'bulk', texts: [`bulk ${i}`] }).then(() => finished.push('bulk')),
    );
    const small = Array.from({ length: 3 }, (_, i) =>
      llm.embed({ companyId: 'small', texts: [`small ${i}`] }).then(() => finished.push('small')),
    );
    await Promise.all([...bulk, ...small]);
    // The small company's 3 items finish within the first few slots, not after the 40 bulk ones.
    expect(finished.lastIndexOf('small')).toBeLessThan(8);
  });
});

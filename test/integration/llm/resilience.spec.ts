import { AppError } from '../../../src/common/errors/app-error';
import { FakeOpenAiServer } from '../../fakes/openai.fake-server';
import { buildLlm } from './llm-test-kit';

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

describe('calling discipline against the fake server', () => {
  let fake: FakeOpenAiServer;
  beforeAll(async () => (fake = await FakeOpenAiServer.start()));
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.configure({ latencyMs: 0, tokenDelayMs: 0, failureRate: 0 });
  });

  it('retries a 429 after the Retry-After it was given', async () => {
    const { llm } = await buildLlm(fake);
    fake.injectFaults([{ status: 429, retryAfterSeconds: 1 }]);
    const started = Date.now();
    const result = await llm.answer(question);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.source).toBe('openai');
    expect(fake.counters).toMatchObject({ requests: 2, faults: 1, chatCalls: 1 });
  });

  it('retries 5xx and timeouts, but not a 4xx that cannot succeed', async () => {
    const { llm } = await buildLlm(fake, { LLM_CHAT_TIMEOUT_MS: '150' });
    fake.injectFaults([{ status: 503 }, { hang: true }]);
    await expect(
      llm.summarize({ companyId: 'acme', text: 'A short ticket about a refund.' }),
    ).resolves.toMatchObject({ source: 'openai' });
    expect(fake.counters.requests).toBe(3);

    fake.reset();
    fake.injectFaults([{ status: 400 }]);
    const error = await llm
      .summarize({ companyId: 'acme', text: 'Another ticket.' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('internal');
    expect(fake.counters.requests).toBe(1);
  });

  it('opens the breaker after repeated failures; interactive calls fall back to the local model', async () => {
    const { llm, ledger } = await buildLlm(fake, {
      LLM_MAX_RETRIES: '1',
      LLM_BREAKER_THRESHOLD: '3',
      LLM_BREAKER_HALF_OPEN_AFTER_MS: '5000',
    });
    fake.injectFaults(Array.from({ length: 10 }, () => ({ status: 500 })));
    const first = await llm.answer(question); // 2 failed attempts, then the local fallback
    const second = await llm.answer({ ...question, question: 'Password reset link expired?' }); // 3rd failure opens it
    const requestsWhenOpen = fake.counters.requests;
    const third = await llm.answer({ ...question, question: 'Different question entirely' });
    expect([first.source, second.source, third.source]).toEqual([
      'local-fallback',
      'local-fallback',
      'local-fallback',
    ]);
    expect(third.text).toMatch(/Local draft/);
    expect(fake.counters.requests).toBe(requestsWhenOpen); // open: no upstream call at all
    expect(ledger.sum()).toMatchObject({ fallbackCalls: 3, costUsd: 0 });

    const streamed: string[] = [];
    for await (const event of llm.streamAnswer(question))
      if (event.type === 'done') streamed.push(event.result.source);
    expect(streamed).toEqual(['local-fallback']);
  });

  it('makes background calls wait for the breaker to close, and fail clearly when it stays open', async () => {
    const { llm } = await buildLlm(fake, {
      LLM_MAX_RETRIES: '0',
      LLM_BREAKER_THRESHOLD: '2',
      LLM_BREAKER_HALF_OPEN_AFTER_MS: '200',
      LLM_BREAKER_WAIT_MS: '1500',
    });
    fake.injectFaults([{ status: 500 }, { status: 500 }]);
    // Interactive calls open it (and fall back); the breaker is per upstream, shared by every purpose.
    for (let i = 0; i < 2; i++) await llm.answer({ ...question, question: `question ${i}` });
    // Open now; the faults are used up, so the half-open probe succeeds and the waiting call goes through.
    const started = Date.now();
    await expect(llm.summarize({ companyId: 'acme', text: 'ticket waiting' })).resolves.toMatchObject({
      source: 'openai',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);

    fake.injectFaults(Array.from({ length: 50 }, () => ({ status: 500 })));
    for (let i = 0; i < 2; i++) await llm.answer({ ...question, question: `again ${i}` });
    const failed = Date.now();
    const error = await llm.summarize({ companyId: 'acme', text: 'never' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('dependency_unavailable');
    expect(Date.now() - failed).toBeGreaterThanOrEqual(1400);
  });

  it('surfaces an interactive embedding failure as dependency_unavailable, never as local vectors', async () => {
    const { llm } = await buildLlm(fake, { LLM_MAX_RETRIES: '1' });
    fake.injectFaults([{ status: 502 }, { status: 502 }], 'embeddings');
    const error = await llm
      .embed({ companyId: 'acme', texts: ['search me'], priority: 'interactive' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('dependency_unavailable');
  });
});

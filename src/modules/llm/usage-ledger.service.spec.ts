import { loadConfig } from '../../config/config';
import { UsageEvent, UsageLedger } from './usage-ledger.service';

describe('UsageLedger', () => {
  const config = loadConfig({ LLM_PRICES_JSON: '{"my-model": {"input": 1, "output": 2}}' });

  it('accumulates tokens and cost per company, model and purpose, and notifies listeners', () => {
    const ledger = new UsageLedger(config);
    const events: UsageEvent[] = [];
    const unsubscribe = ledger.onUsage((e) => events.push(e));
    ledger.onUsage(() => {
      throw new Error('a broken exporter');
    });
    ledger.record({
      companyId: 'a',
      model: 'my-model',
      purpose: 'answer',
      source: 'openai',
      promptTokens: 1_000_000,
      completionTokens: 500_000,
    });
    ledger.record({
      companyId: 'a',
      model: 'my-model-2025',
      purpose: 'answer',
      source: 'openai',
      promptTokens: 10,
    });
    ledger.record({
      companyId: 'b',
      model: 'local',
      purpose: 'summary',
      source: 'local-fallback',
      promptTokens: 5,
    });
    ledger.creditSavings({ companyId: 'a', model: 'my-model', purpose: 'answer', promptTokens: 1_000_000 });

    expect(ledger.totals({ companyId: 'a', model: 'my-model' })).toEqual([
      expect.objectContaining({
        calls: 1,
        promptTokens: 1_000_000,
        completionTokens: 500_000,
        costUsd: 2,
        savedCalls: 1,
        savedCostUsd: 1,
      }),
    ]);
    expect(ledger.sum({ companyId: 'a' }).costUsd).toBeCloseTo(2 + 10 / 1e6, 12); // prefix price for a dated model
    expect(ledger.sum({ companyId: 'b' })).toMatchObject({ calls: 1, fallbackCalls: 1, costUsd: 0 });
    expect(events).toHaveLength(4);
    unsubscribe();
    ledger.record({ companyId: 'a', model: 'x', purpose: 'embed', source: 'openai', embeddingTokens: 1 });
    expect(events).toHaveLength(4);
  });
});

describe('llm config', () => {
  it('has defaults, and names a bad price table', () => {
    const config = loadConfig({});
    expect(config.llm).toMatchObject({
      provider: 'local',
      chatModel: 'gpt-4o-mini',
      batch: { batchSize: 10, maxConcurrent: 5 },
    });
    expect(config.llm.concurrency.background).toBeLessThan(config.llm.concurrency.max);
    expect(loadConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1' }).llm.provider).toBe('openai');
    expect(() => loadConfig({ LLM_PRICES_JSON: '{"m": {"input": "cheap"}}' })).toThrow(
      /LLM_PRICES_JSON.*non-negative/,
    );
    expect(() => loadConfig({ LLM_PRICES_JSON: 'nope' })).toThrow(/LLM_PRICES_JSON: must be valid JSON/);
    expect(() => loadConfig({ LLM_PRICES_JSON: '{"m": {"input": 1, "cachedInput": -1}}' })).toThrow(
      /LLM_PRICES_JSON.*"m" needs non-negative numbers/,
    );
  });
});

describe('prompt tokens the provider served from its prompt cache', () => {
  const config = loadConfig({
    LLM_PRICES_JSON: JSON.stringify({
      'cached-model': { input: 1, cachedInput: 0.25, output: 2 },
      'plain-model': { input: 1, output: 2 },
    }),
  });

  it('are billed at the cached-input price, and at the input price where the model has none', () => {
    const ledger = new UsageLedger(config);
    const call = { companyId: 'a', purpose: 'reply' as const, source: 'openai' as const };
    const tokens = { promptTokens: 1_000_000, cachedPromptTokens: 800_000, completionTokens: 100_000 };
    const cached = ledger.record({ ...call, model: 'cached-model', ...tokens });
    const plain = ledger.record({ ...call, model: 'plain-model', ...tokens });
    expect(cached.costUsd).toBeCloseTo(0.2 * 1 + 0.8 * 0.25 + 0.1 * 2, 12);
    expect(plain.costUsd).toBeCloseTo(1 + 0.1 * 2, 12);
    expect(ledger.sum({ companyId: 'a' })).toMatchObject({
      promptTokens: 2_000_000,
      cachedPromptTokens: 1_600_000,
    });
    // The default table prices OpenAI's cached input (gpt-4o-mini: half the input price).
    expect(loadConfig({}).llm.prices['gpt-4o-mini']).toEqual({
      input: 0.15,
      cachedInput: 0.075,
      output: 0.6,
    });
    expect(config.llm.prices['cached-model']).toEqual({ input: 1, cachedInput: 0.25, output: 2 });
  });

  it('never count for more than the prompt, whatever a server reports', () => {
    const ledger = new UsageLedger(config);
    const event = ledger.record({
      companyId: 'a',
      model: 'cached-model',
      purpose: 'answer',
      source: 'openai',
      promptTokens: 100,
      cachedPromptTokens: 5_000,
    });
    expect(event.cachedPromptTokens).toBe(100);
    expect(event.costUsd).toBeCloseTo((100 * 0.25) / 1e6, 15);
  });
});

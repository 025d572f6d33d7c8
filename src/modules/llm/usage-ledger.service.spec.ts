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
  });
});

import { loadConfig } from '../../../src/config/config';
import { SemanticAnswerCacheService } from '../../../src/modules/assist/semantic/semantic-answer-cache.service';
import type { SemanticScope } from '../../../src/modules/assist/semantic/semantic-answer-cache.port';
import { hashingEmbed } from '../../../src/modules/llm/domain/hashing-embedding';
import type { LlmService } from '../../../src/modules/llm/llm.service';
import type { EmbedResult } from '../../../src/modules/llm/ports/embedder.port';
import { FakeLayeredCache } from '../../fakes/layered-cache.fake';

/** The two LlmService members the semantic cache uses: explicit vectors for some texts, hashing for the rest. */
class FakeEmbeddingLlm {
  readonly vectors = new Map<string, number[]>();
  calls = 0;
  delayMs = 0;
  source: EmbedResult['source'] = 'local';
  readonly embeddingModel = { model: 'fake-embed', dimension: 64 };

  async embed(input: { companyId: string; texts: string[] }): Promise<EmbedResult> {
    this.calls += 1;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const vectors = input.texts.map((text) => {
      const explicit = this.vectors.get(text);
      return explicit ? normalize(explicit) : hashingEmbed(text, { dimension: 64 });
    });
    return { vectors, model: 'fake-embed', source: this.source, usage: { promptTokens: 1 } };
  }
}

function normalize(values: number[]): Float32Array {
  const v = Float32Array.from([...values, ...new Array(64 - values.length).fill(0)]);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

const scope = (overrides: Partial<SemanticScope> = {}): SemanticScope => ({
  companyId: 'acme',
  promptVersion: 'answer-v3@gpt',
  model: 'gpt-4o-mini',
  dataTypes: ['tickets', 'articles'],
  filters: null,
  ...overrides,
});

function setup(
  settings: Partial<{ enabled: boolean; threshold: number; maxEntries: number; timeoutMs: number }> = {},
) {
  const config = loadConfig({});
  config.semanticCache.semantic = { ...config.semanticCache.semantic, threshold: 0.9, ...settings };
  const cache = new FakeLayeredCache();
  const llm = new FakeEmbeddingLlm();
  const service = new SemanticAnswerCacheService(cache, llm as unknown as LlmService, config);
  return { cache, llm, service };
}

describe('SemanticAnswerCacheService (fake LayeredCache, fake embedder)', () => {
  it('reuses the answer of a close question of the same company and scope', async () => {
    const { llm, service } = setup();
    llm.vectors.set('How do I reset my password?', [1, 0.05]);
    llm.vectors.set('how can I change my password', [1, 0.1]);
    await service.store({
      scope: scope(),
      question: 'How do I reset my password?',
      value: { answer: 'Use the link.' },
    });
    const match = await service.lookup<{ answer: string }>({
      scope: scope(),
      question: 'how can I change my password',
    });
    expect(match?.value).toEqual({ answer: 'Use the link.' });
    expect(match?.question).toBe('How do I reset my password?');
    expect(match?.similarity).toBeGreaterThan(0.99);
  });

  it("never serves company A's answer to company B", async () => {
    const { service } = setup();
    await service.store({
      scope: scope({ companyId: 'company-a' }),
      question: 'where is my refund',
      value: 'A-only',
    });
    expect(
      await service.lookup({ scope: scope({ companyId: 'company-b' }), question: 'where is my refund' }),
    ).toBeUndefined();
    expect(
      (await service.lookup({ scope: scope({ companyId: 'company-a' }), question: 'where is my refund' }))
        ?.value,
    ).toBe('A-only');
  });

  it.each<[string, Partial<SemanticScope>]>([
    ['prompt version', { promptVersion: 'answer-v4@gpt' }],
    ['model', { model: 'gpt-4o' }],
    ['data types', { dataTypes: ['articles'] }],
    ['filters', { filters: { status: ['open'] } }],
  ])('misses when the %s differs', async (_, change) => {
    const { service } = setup();
    await service.store({ scope: scope(), question: 'where is my refund', value: 'x' });
    expect(await service.lookup({ scope: scope(change), question: 'where is my refund' })).toBeUndefined();
  });

  it('treats data types as a set and filters by canonical JSON', async () => {
    const { service } = setup();
    await service.store({
      scope: scope({ filters: { a: 1, b: [2] } }),
      question: 'where is my refund',
      value: 'x',
    });
    const found = await service.lookup({
      scope: scope({ dataTypes: ['articles', 'tickets'], filters: { b: [2], a: 1 } }),
      question: 'where is my refund',
    });
    expect(found?.value).toBe('x');
  });

  it('misses below the threshold and hits at it', async () => {
    const { llm, service } = setup({ threshold: 0.95 });
    llm.vectors.set('stored question', [1, 0]);
    llm.vectors.set('close question', [1, 0.2]); // cosine 0.981
    llm.vectors.set('far question', [1, 0.5]); // cosine 0.894
    await service.store({ scope: scope(), question: 'stored question', value: 'x' });
    expect(await service.lookup({ scope: scope(), question: 'far question' })).toBeUndefined();
    expect((await service.lookup({ scope: scope(), question: 'close question' }))?.value).toBe('x');
  });

  it('refuses a close question that differs in negation, numbers or entities, and takes the next candidate that passes', async () => {
    const { llm, service } = setup({ threshold: 0.8 });
    llm.vectors.set('refund order 1234', [1, 0]);
    llm.vectors.set('refund order 5678', [1, 0.3]);
    llm.vectors.set('I can log in', [0, 1]);
    llm.vectors.set("I can't log in", [0, 1]);
    await service.store({ scope: scope(), question: 'refund order 1234', value: 'about 1234' });
    await service.store({ scope: scope(), question: 'refund order 5678', value: 'about 5678' });
    await service.store({ scope: scope(), question: 'I can log in', value: 'fine' });
    // The nearest vector is 1234's, but the guard sends the lookup to 5678's entry.
    llm.vectors.set('please refund order 5678', [1, 0.05]);
    expect((await service.lookup({ scope: scope(), question: 'please refund order 5678' }))?.value).toBe(
      'about 5678',
    );
    expect(await service.lookup({ scope: scope(), question: "I can't log in" })).toBeUndefined();
  });

  it('is dropped by the company LLM invalidation and by a bump of the semantic kind', async () => {
    const { cache, service } = setup();
    await service.store({ scope: scope(), question: 'where is my refund', value: 'x' });
    await cache.invalidate('acme', ['llm']);
    expect(await service.lookup({ scope: scope(), question: 'where is my refund' })).toBeUndefined();
    await service.store({ scope: scope(), question: 'where is my refund', value: 'y' });
    cache.bumpKind({ companyId: 'acme', layer: 'llm', kind: 'semantic' });
    expect(await service.lookup({ scope: scope(), question: 'where is my refund' })).toBeUndefined();
  });

  it('keeps at most maxEntries questions per scope, the most recent', async () => {
    const { service } = setup({ maxEntries: 2 });
    for (const q of ['track my parcel', 'close my account', 'update billing address']) {
      await service.store({ scope: scope(), question: q, value: q });
    }
    expect(await service.lookup({ scope: scope(), question: 'track my parcel' })).toBeUndefined();
    expect((await service.lookup({ scope: scope(), question: 'update billing address' }))?.value).toBe(
      'update billing address',
    );
  });

  it('keeps every entry when stores run concurrently', async () => {
    const { service } = setup();
    const questions = ['track my parcel', 'close my account', 'update billing address', 'change my plan'];
    await Promise.all(questions.map((q) => service.store({ scope: scope(), question: q, value: q })));
    for (const q of questions) expect((await service.lookup({ scope: scope(), question: q }))?.value).toBe(q);
  });

  it('group-commits concurrent stores: every entry lands, in fewer index writes than stores', async () => {
    const { cache, service } = setup();
    let indexWrites = 0;
    const set = cache.set.bind(cache);
    cache.set = async (key, value, options) => {
      if (value && typeof value === 'object' && 'entries' in value) indexWrites++;
      return set(key, value, options);
    };
    const questions = Array.from({ length: 12 }, (_, i) => `question number ${i} about parcels`);
    await Promise.all(questions.map((q) => service.store({ scope: scope(), question: q, value: q })));
    for (const q of questions) expect((await service.lookup({ scope: scope(), question: q }))?.value).toBe(q);
    expect(indexWrites).toBeGreaterThan(0);
    expect(indexWrites).toBeLessThan(questions.length);
  });

  it("uses the caller's shared question embedding instead of embedding again, and skips a fallback one", async () => {
    const { llm, service } = setup();
    let shared = 0;
    const embedding = async () => {
      shared++;
      return { vector: hashingEmbed('where is my refund', { dimension: 64 }), fallback: false };
    };
    await service.store({ scope: scope(), question: 'where is my refund', value: 'x', embedding });
    const hit = await service.lookup({ scope: scope(), question: 'where is my refund', embedding });
    expect(hit?.value).toBe('x');
    expect(shared).toBe(2);
    expect(llm.calls).toBe(0);
    const fallback = async () => ({
      vector: hashingEmbed('where is my refund', { dimension: 64 }),
      fallback: true,
    });
    expect(
      await service.lookup({ scope: scope(), question: 'where is my refund', embedding: fallback }),
    ).toBeUndefined();
  });

  it('costs no embedding when nothing is cached for the scope', async () => {
    const { llm, service } = setup();
    expect(await service.lookup({ scope: scope(), question: 'anything' })).toBeUndefined();
    expect(llm.calls).toBe(0);
  });

  it('does nothing when disabled', async () => {
    const { cache, llm, service } = setup({ enabled: false });
    await service.store({ scope: scope(), question: 'where is my refund', value: 'x' });
    expect(cache.entries.size).toBe(0);
    expect(await service.lookup({ scope: scope(), question: 'where is my refund' })).toBeUndefined();
    expect(llm.calls).toBe(0);
  });

  it('misses within its deadline when embedding is slow, and skips fallback vectors', async () => {
    const { llm, service } = setup({ timeoutMs: 50 });
    await service.store({ scope: scope(), question: 'where is my refund', value: 'x' });
    llm.delayMs = 1_000;
    const started = performance.now();
    expect(await service.lookup({ scope: scope(), question: 'where is my refund' })).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
    llm.delayMs = 0;
    llm.source = 'local-fallback';
    expect(await service.lookup({ scope: scope(), question: 'where is my refund' })).toBeUndefined();
  });

  it('misses, never throws, when the cache store is down', async () => {
    const { cache, service } = setup();
    await service.store({ scope: scope(), question: 'where is my refund', value: 'x' });
    cache.failing = true;
    await expect(service.store({ scope: scope(), question: 'another', value: 'y' })).resolves.toBeUndefined();
    expect(await service.lookup({ scope: scope(), question: 'where is my refund' })).toBeUndefined();
  });

  it('credits the original call on every semantic hit', async () => {
    const { cache, service } = setup();
    await service.store({
      scope: scope(),
      question: 'where is my refund',
      value: 'x',
      credit: { tokens: 500, costUsd: 0.001 },
    });
    await service.lookup({ scope: scope(), question: 'where is my refund' });
    await service.lookup({ scope: scope(), question: 'where is my refund' });
    expect(cache.credited.tokens).toBe(1_000);
  });
});

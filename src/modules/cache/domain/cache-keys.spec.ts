import { CACHE_KINDS, CacheKind } from '../ports/layered-cache.port';
import {
  cacheKey,
  cacheLayerPrefix,
  canonicalJson,
  CONTENT_ADDRESSED_LLM_KINDS,
  DATA_DEPENDENT_LLM_KINDS,
  normalizeText,
} from './cache-keys';

describe('cacheKey', () => {
  const base = {
    layer: 'vector' as const,
    companyId: 'acme',
    kind: 'search' as CacheKind,
    input: { query: 'refund', limit: 10 },
  };

  it('formats {layer}:{company_id}:{kind}:{hash}', () => {
    const key = cacheKey(base);
    expect(key.toString()).toMatch(/^vector:acme:search:[A-Za-z0-9_-]{32}$/);
    expect(key).toMatchObject({ layer: 'vector', companyId: 'acme', kind: 'search' });
    expect(key.toString().startsWith(cacheLayerPrefix('vector', 'acme'))).toBe(true);
  });

  it('is pure: same inputs, same key; member order does not matter', () => {
    expect(cacheKey(base).toString()).toBe(
      cacheKey({ ...base, input: { limit: 10, query: 'refund' } }).toString(),
    );
  });

  it('separates companies, layers, kinds, inputs and versions', () => {
    const keys = [
      cacheKey(base),
      cacheKey({ ...base, companyId: 'globex' }),
      cacheKey({ ...base, layer: 'llm' }),
      cacheKey({ ...base, kind: 'grounded-answer' }),
      cacheKey({ ...base, input: { query: 'refund', limit: 11 } }),
      cacheKey({ ...base, versions: { prompt: 'answer@2' } }),
      cacheKey({ ...base, versions: { prompt: 'answer@3' } }),
    ].map(String);
    expect(new Set(keys).size).toBe(keys.length);
    // The same input under two companies differs only in the company segment and never collides.
    expect(keys[0].split(':')[3]).toBe(keys[1].split(':')[3]);
  });

  it('refuses a company id or kind that could break the key layout', () => {
    expect(() => cacheKey({ ...base, companyId: 'acme:llm' })).toThrow(/company_id/);
    expect(() => cacheKey({ ...base, companyId: '' })).toThrow(/company_id/);
    expect(() => cacheKey({ ...base, kind: 'Search:x' as CacheKind })).toThrow(/kind/);
  });
});

describe('canonicalJson and normalizeText', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"x":2,"y":1}]},"b":1}',
    );
  });

  it('normalizes Unicode, case and whitespace, Korean included', () => {
    expect(normalizeText('  Refund\t\nNOT   received ')).toBe('refund not received');
    expect(normalizeText('ｒｅｆｕｎｄ')).toBe('refund');
    expect(normalizeText(' 환불이   안 돼요 ')).toBe('환불이 안 돼요');
  });
});

describe('data-dependent LLM kinds', () => {
  it('names only kinds keys are built with (a misspelt kind is never bumped)', () => {
    for (const kind of DATA_DEPENDENT_LLM_KINDS) expect(CACHE_KINDS.llm).toContain(kind);
  });

  it('classifies every LLM kind once: bumped on a data change, or content-addressed', () => {
    const classified = [...DATA_DEPENDENT_LLM_KINDS, ...CONTENT_ADDRESSED_LLM_KINDS];
    expect([...classified].sort()).toEqual([...CACHE_KINDS.llm].sort());
  });
});

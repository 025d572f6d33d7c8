import { KeyResolutionCache } from './key-resolution-cache';

const policy = { freshMs: 1_000, maxStaleMs: 60_000, maxEntries: 3, retryAfterErrorMs: 500 };
const acme = { companyId: 'acme', keyId: 'k1' };

describe('KeyResolutionCache', () => {
  it('answers a fresh entry, then asks the database with the last answer as the fallback', () => {
    const cache = new KeyResolutionCache(policy);
    expect(cache.decide('h', 0)).toEqual({ kind: 'refresh', fallback: null });
    cache.store('h', acme, 0);
    expect(cache.decide('h', 999)).toEqual({ kind: 'answer', value: acme });
    expect(cache.decide('h', 1_000)).toEqual({ kind: 'refresh', fallback: { value: acme } });
  });

  it('after a failed refresh answers stale without asking again for a moment, and never past the staleness bound', () => {
    const cache = new KeyResolutionCache(policy);
    cache.store('h', acme, 0);
    cache.refreshFailed('h', 5_000);
    expect(cache.decide('h', 5_400)).toEqual({ kind: 'answer', value: acme });
    expect(cache.decide('h', 5_500)).toEqual({ kind: 'refresh', fallback: { value: acme } });
    cache.refreshFailed('h', 59_900);
    expect(cache.decide('h', 60_001)).toEqual({ kind: 'refresh', fallback: null });
  });

  it('keeps a revocation as a refusal, database or not', () => {
    const cache = new KeyResolutionCache(policy);
    cache.store('h', acme, 0);
    cache.revokeWhere((key) => key.keyId === 'k1', 10);
    expect(cache.decide('h', 20)).toEqual({ kind: 'answer', value: null });
    expect(cache.decide('h', 10 * 60_000)).toEqual({ kind: 'refresh', fallback: { value: null } });
  });

  it('drops the least recently used entry beyond its bound', () => {
    const cache = new KeyResolutionCache(policy);
    cache.store('a', acme, 0);
    cache.store('b', acme, 0);
    cache.store('c', acme, 0);
    cache.decide('a', 1);
    cache.store('d', acme, 2);
    expect(cache.size).toBe(3);
    expect(cache.decide('b', 3)).toEqual({ kind: 'refresh', fallback: null });
    expect(cache.decide('a', 3)).toEqual({ kind: 'answer', value: acme });
  });
});

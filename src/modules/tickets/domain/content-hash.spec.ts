import fc from 'fast-check';
import { canonicalJson, contentHash } from './content-hash';

describe('content hash', () => {
  it('ignores key order at every level', () => {
    const a = { subject: 'x', tags: ['a', 'b'], conversations: [{ from: 'agent', body: 'hi' }] };
    const b = { conversations: [{ body: 'hi', from: 'agent' }], tags: ['a', 'b'], subject: 'x' };
    expect(contentHash(a)).toBe(contentHash(b));
  });

  it('changes when any value changes, including array order', () => {
    expect(contentHash({ tags: ['a', 'b'] })).not.toBe(contentHash({ tags: ['b', 'a'] }));
    expect(contentHash({ subject: 'x' })).not.toBe(contentHash({ subject: 'y' }));
    expect(contentHash({ description: null })).not.toBe(contentHash({ description: '' }));
  });

  it('treats undefined fields as absent', () => {
    expect(contentHash({ a: 1, b: undefined })).toBe(contentHash({ a: 1 }));
  });

  it('is a stable function of the canonical form (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const roundTripped = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(roundTripped)).toBe(canonicalJson(value));
        expect(contentHash(roundTripped)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });
});

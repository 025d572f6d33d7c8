import { generateApiKey, hashApiKey, hashesEqual, parseApiKeyPrefix, secretsEqual } from './api-key';

describe('api keys', () => {
  it('generates keys with at least 128 bits of secret and a lookup prefix', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^sc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.split('_').slice(2).join('_'), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(parseApiKeyPrefix(key)).toBe(prefix);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).not.toContain(key);
  });

  it('never produces the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });

  it('rejects malformed keys before any lookup', () => {
    for (const bad of ['', 'sc_', 'sc_zzzzzzzz_' + 'a'.repeat(43), 'Bearer x', 'sc_0123abcd_short']) {
      expect(parseApiKeyPrefix(bad)).toBeNull();
    }
  });

  it('compares hashes and secrets in constant time, exactly', () => {
    const { key, hash } = generateApiKey();
    expect(hashesEqual(hash, hashApiKey(key))).toBe(true);
    expect(hashesEqual(hash, hashApiKey(key + 'x'))).toBe(false);
    expect(hashesEqual(hash, 'abcd')).toBe(false);
    expect(secretsEqual('admin-secret-123456', 'admin-secret-123456')).toBe(true);
    expect(secretsEqual('admin-secret-123456', 'admin-secret-123457')).toBe(false);
  });
});

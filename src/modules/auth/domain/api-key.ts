import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `sc_<prefix>_<secret>`: the 8-hex prefix is stored in clear for lookup, the 256-bit
 * secret never is. Only the SHA-256 of the whole key is stored; with that much entropy a slow hash adds nothing.
 */
const KEY_PATTERN = /^sc_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedKey {
  const prefix = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `sc_${prefix}_${secret}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** The lookup prefix of a well-formed key, or null for anything else (no DB query for garbage). */
export function parseApiKeyPrefix(key: string): string | null {
  const match = KEY_PATTERN.exec(key);
  return match ? match[1] : null;
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The admin key is compared in constant time too. */
export function secretsEqual(given: string, expected: string): boolean {
  return hashesEqual(hashApiKey(given), hashApiKey(expected));
}

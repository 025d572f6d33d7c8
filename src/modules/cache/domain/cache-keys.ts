import { hash as digest } from 'node:crypto';
import { assertCompanyId } from '../../../common/tenancy/company-id';
import type { CacheKey, CacheKind, CacheLayer, LlmCacheKind } from '../ports/layered-cache.port';

const KIND = /^[a-z][a-z0-9-]{0,39}$/;

export interface CacheKeyInput {
  layer: CacheLayer;
  /** From the authenticated request, never from the client's body. */
  companyId: string;
  kind: CacheKind;
  /** The normalized inputs that determine the value (canonical JSON is hashed: key order does not matter). */
  input: unknown;
  /** What else shaped the value: prompt version, model, index version, ... */
  versions?: Record<string, string | number>;
}

/**
 * The stored entries' format, hashed into every key: a change of it (2: values serialized with JSON.stringify
 * instead of @keyv/serialize, whose escaping of strings that start with ':' plain JSON.parse would not undo) makes
 * entries of the old format unreachable instead of misread.
 */
export const ENTRY_FORMAT = 2;

/** The one key builder: `{layer}:{company_id}:{kind}:{hash}`. Pure. */
export function cacheKey({ layer, companyId, kind, input, versions }: CacheKeyInput): CacheKey {
  assertCompanyId(companyId, 'cache key company_id');
  if (!KIND.test(kind)) throw new Error(`cache key: invalid kind ${JSON.stringify(kind)}`);
  // One-shot digest: no Hash object per key (this runs on every cached request).
  const hash = digest('sha256', canonicalJson({ input, versions: versions ?? {}, format: ENTRY_FORMAT }), 'base64url').slice(0, 32);
  const text = `${layer}:${companyId}:${kind}:${hash}`;
  return { layer, companyId, kind, hash, toString: () => text };
}

/** The key prefix of a company's layer, for sweeps: `{layer}:{company_id}:`. */
export function cacheLayerPrefix(layer: CacheLayer, companyId: string): string {
  return `${layer}:${companyId}:`;
}

/** JSON with object keys sorted at every depth; undefined members dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

/** Normalizes free text for keys: Unicode NFKC, trimmed, inner whitespace collapsed, lower case. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * LLM-layer kinds grounded on the company's tickets and articles whose keys do not cover that data: semantic
 * answers are matched by question alone, so any data change bumps their generation.
 */
export const DATA_DEPENDENT_LLM_KINDS = ['semantic'] as const satisfies readonly LlmCacheKind[];

/**
 * LLM-layer kinds whose key hashes every text the value was made from (assist-keys.ts: the ticket's content
 * hash, the prompt's sources): changed data builds another key, so a data change need not bump them.
 */
export const CONTENT_ADDRESSED_LLM_KINDS = [
  'summary',
  'grounded-answer',
  'reply-draft',
  // A marker keyed by the hash of the answer's key it counts wants of (which covers that answer's data).
  'base-demand',
] as const satisfies readonly LlmCacheKind[];

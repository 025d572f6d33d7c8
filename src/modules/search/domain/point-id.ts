import { createHash } from 'node:crypto';
import { SearchDataType } from './search-document';

/** Fixed namespace so the same (company, type, id) always maps to the same point id across deployments. */
const NAMESPACE = Buffer.from('5b0c6d3e8f4a4f0e9a1d2c3b4a5f6e7d', 'hex');

/**
 * A UUID (version 5 layout: SHA-1 over namespace + name) for a document, so re-indexing overwrites the
 * same point instead of adding a duplicate. The company is part of the name: equal ticket ids of two
 * companies never collide.
 */
export function pointIdOf(companyId: string, type: SearchDataType, id: string): string {
  const hash = createHash('sha1')
    .update(NAMESPACE)
    .update(`${companyId}\u0000${type}\u0000${id}`, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

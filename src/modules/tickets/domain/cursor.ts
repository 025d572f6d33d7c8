/**
 * Opaque keyset cursor over (updated_at, id): stable under concurrent inserts, O(1) to resume,
 * unlike OFFSET. Encoded as base64url JSON so clients treat it as a token.
 */
export interface Cursor {
  updatedAt: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt, cursor.id]), 'utf8').toString('base64url');
}

/** The decoded cursor, or null when the token is not one this service issued. */
export function decodeCursor(token: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(token)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [updatedAt, id] = parsed as unknown[];
    if (typeof updatedAt !== 'string' || typeof id !== 'string' || id.length === 0 || id.length > 100) return null;
    if (Number.isNaN(Date.parse(updatedAt)) || !/^\d{4}-\d{2}-\d{2}T/.test(updatedAt)) return null;
    return { updatedAt, id };
  } catch {
    return null;
  }
}

/**
 * What the in-process cache of resolved API keys decides, without I/O. An entry is fresh for `freshMs`; after
 * that the database is asked again, but if the database cannot be reached an entry that resolved to a company
 * is still used (stale-if-error) for up to `maxStaleMs` after it was last confirmed, so a database restart does
 * not refuse every request. A key known to be revoked or unknown is never served stale: `null` is kept as an
 * answer too, and a revocation replaces the entry with `null` at once. Bounded: the least recently used entry
 * goes first.
 */
export interface KeyResolutionPolicy {
  freshMs: number;
  maxStaleMs: number;
  maxEntries: number;
  /** After a failed refresh, stale answers are given without asking the database again for this long. */
  retryAfterErrorMs: number;
}

interface Entry<V> {
  value: V | null;
  confirmedAt: number;
  /** The database is not asked again for this key before then (fresh, or backing off after an error). */
  nextCheckAt: number;
}

/** `answer`: use `value` without asking the database; `refresh`: ask it, and use `fallback` if it cannot answer. */
export type CacheDecision<V> =
  { kind: 'answer'; value: V | null } | { kind: 'refresh'; fallback: { value: V | null } | null };

export class KeyResolutionCache<V extends { keyId: string }> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly policy: KeyResolutionPolicy) {}

  get size(): number {
    return this.entries.size;
  }

  /** What to do for `hash` at `now`: answer from the cache, or ask the database (with a fallback if it fails). */
  decide(hash: string, now: number): CacheDecision<V> {
    const entry = this.entries.get(hash);
    if (!entry) return { kind: 'refresh', fallback: null };
    this.touch(hash, entry);
    // A refused key stays refused while the database is away; a company only within the staleness bound.
    const usable = entry.value === null || now - entry.confirmedAt <= this.policy.maxStaleMs;
    if (!usable) return { kind: 'refresh', fallback: null };
    if (now < entry.nextCheckAt) return { kind: 'answer', value: entry.value };
    return { kind: 'refresh', fallback: { value: entry.value } };
  }

  /** The database answered. */
  store(hash: string, value: V | null, now: number): void {
    this.entries.delete(hash);
    this.entries.set(hash, { value, confirmedAt: now, nextCheckAt: now + this.policy.freshMs });
    while (this.entries.size > this.policy.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The database could not be asked: the entry keeps its last answer and is not asked again for a moment. */
  refreshFailed(hash: string, now: number): void {
    const entry = this.entries.get(hash);
    if (entry) entry.nextCheckAt = now + this.policy.retryAfterErrorMs;
  }

  /** A revocation seen by this process: every key it matches answers `null` from now on, database or not. */
  revokeWhere(matches: (value: V) => boolean, now: number): void {
    for (const [hash, entry] of this.entries) {
      if (entry.value && matches(entry.value))
        this.entries.set(hash, { value: null, confirmedAt: now, nextCheckAt: now + this.policy.freshMs });
    }
  }

  private touch(hash: string, entry: Entry<V>): void {
    this.entries.delete(hash);
    this.entries.set(hash, entry);
  }
}

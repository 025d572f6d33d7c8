import type { ScoredMember } from '../domain/popularity-decay';

/** One counted request: `by` is added to `member`'s score in the company's era. */
export interface PopularityIncrement {
  companyId: string;
  era: number;
  member: string;
  by: number;
}

/**
 * Port: decayed popularity counts per company and era (a Redis sorted set per company and era in services
 * mode, shared by every instance; process memory in embedded mode). Bounded: each company keeps at most
 * `maxEntries` members per era, the lowest trimmed. Also tracks which companies have data, for the nightly warm.
 */
export abstract class PopularityStore {
  /** A batch of increments, applied together (one round trip in Redis). */
  abstract increment(input: {
    increments: PopularityIncrement[];
    maxEntries: number;
    ttlMs: number;
  }): Promise<void>;
  abstract top(input: { companyId: string; era: number; n: number }): Promise<ScoredMember[]>;
  /** Companies with popularity data, in a stable order, a page at a time (`cursor` 0 first; next 0 at the end). */
  abstract companies(input: {
    cursor: number;
    count: number;
  }): Promise<{ companies: string[]; next: number }>;
  /** Company erasure: every era of the company and its entry in the company list; returns how many keys went. */
  abstract eraseCompany(companyId: string): Promise<number>;
  /** Keys (eras and the list entry) the company still has. */
  abstract countCompany(companyId: string): Promise<number>;
}

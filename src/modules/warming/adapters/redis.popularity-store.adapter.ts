import type Redis from 'ioredis';
import type { ScoredMember } from '../domain/popularity-decay';
import { PopularityIncrement, PopularityStore } from '../ports/popularity-store.port';

/**
 * Sorted sets on the cache Redis, under the deployment's key prefix: `popularity:{company}:e{era}` with the
 * decayed scores, and `popularity:companies` listing the companies that have any (all scores 0, so ranks are
 * in name order and pages stay stable). One MULTI per batch: add, trim each key to the bound, refresh its expiry.
 */
export class RedisPopularityStore extends PopularityStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    super();
  }

  async increment(input: {
    increments: PopularityIncrement[];
    maxEntries: number;
    ttlMs: number;
  }): Promise<void> {
    if (input.increments.length === 0) return;
    const multi = this.redis.multi();
    const keys = new Set<string>();
    const companies = new Set<string>();
    for (const { companyId, era, member, by } of input.increments) {
      const key = this.eraKey(companyId, era);
      multi.zincrby(key, by, member);
      keys.add(key);
      companies.add(companyId);
    }
    for (const key of keys) multi.zremrangebyrank(key, 0, -(input.maxEntries + 1)).pexpire(key, input.ttlMs);
    multi.zadd(this.companiesKey(), 'NX', ...[...companies].flatMap((companyId) => [0, companyId]));
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('popularity: transaction aborted');
  }

  async top(input: { companyId: string; era: number; n: number }): Promise<ScoredMember[]> {
    const flat = await this.redis.zrange(
      this.eraKey(input.companyId, input.era),
      0,
      input.n - 1,
      'REV',
      'WITHSCORES',
    );
    const out: ScoredMember[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i], score: Number(flat[i + 1]) });
    return out;
  }

  async companies(input: { cursor: number; count: number }): Promise<{ companies: string[]; next: number }> {
    const companies = await this.redis.zrange(
      this.companiesKey(),
      input.cursor,
      input.cursor + input.count - 1,
    );
    return { companies, next: companies.length < input.count ? 0 : input.cursor + companies.length };
  }

  async eraseCompany(companyId: string): Promise<number> {
    let removed = 0;
    for await (const keys of this.eraKeys(companyId)) removed += await this.redis.unlink(...keys);
    return removed + (await this.redis.zrem(this.companiesKey(), companyId));
  }

  async countCompany(companyId: string): Promise<number> {
    let n = 0;
    for await (const keys of this.eraKeys(companyId)) n += keys.length;
    return n + ((await this.redis.zscore(this.companiesKey(), companyId)) === null ? 0 : 1);
  }

  /** SCAN (never KEYS) over the company's era keys, a batch at a time. */
  private async *eraKeys(companyId: string): AsyncIterable<string[]> {
    const match = `${escapeGlob(`${this.keyPrefix}popularity:${companyId}:`)}e*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }

  private eraKey(companyId: string, era: number): string {
    return `${this.keyPrefix}popularity:${companyId}:e${era}`;
  }

  private companiesKey(): string {
    return `${this.keyPrefix}popularity:companies`;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

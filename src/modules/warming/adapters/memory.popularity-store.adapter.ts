import type { ScoredMember } from '../domain/popularity-decay';
import { PopularityIncrement, PopularityStore } from '../ports/popularity-store.port';

interface EraScores {
  scores: Map<string, number>;
  expiresAt: number;
}

/** Embedded mode: the same counts in process memory, with the same bound and expiry. */
export class MemoryPopularityStore extends PopularityStore {
  private readonly eras = new Map<string, EraScores>();
  private readonly known = new Set<string>();

  async increment(input: {
    increments: PopularityIncrement[];
    maxEntries: number;
    ttlMs: number;
  }): Promise<void> {
    for (const one of input.increments)
      this.incrementOne({ ...one, maxEntries: input.maxEntries, ttlMs: input.ttlMs });
  }

  async top(input: { companyId: string; era: number; n: number }): Promise<ScoredMember[]> {
    const era = this.eras.get(`${input.companyId}:${input.era}`);
    if (!era || era.expiresAt <= Date.now()) return [];
    return [...era.scores]
      .map(([member, score]) => ({ member, score }))
      .sort((a, b) => b.score - a.score || a.member.localeCompare(b.member))
      .slice(0, input.n);
  }

  async companies(input: { cursor: number; count: number }): Promise<{ companies: string[]; next: number }> {
    const companies = [...this.known].sort().slice(input.cursor, input.cursor + input.count);
    return { companies, next: companies.length < input.count ? 0 : input.cursor + companies.length };
  }

  async eraseCompany(companyId: string): Promise<number> {
    let removed = 0;
    for (const key of [...this.eras.keys()]) {
      if (key.startsWith(`${companyId}:`) && this.eras.delete(key)) removed += 1;
    }
    return removed + (this.known.delete(companyId) ? 1 : 0);
  }

  async countCompany(companyId: string): Promise<number> {
    let n = this.known.has(companyId) ? 1 : 0;
    for (const key of this.eras.keys()) if (key.startsWith(`${companyId}:`)) n += 1;
    return n;
  }

  private incrementOne(input: {
    companyId: string;
    era: number;
    member: string;
    by: number;
    maxEntries: number;
    ttlMs: number;
  }): void {
    const key = `${input.companyId}:${input.era}`;
    const now = Date.now();
    let era = this.eras.get(key);
    if (!era || era.expiresAt <= now) {
      era = { scores: new Map(), expiresAt: 0 };
      this.eras.set(key, era);
    }
    era.expiresAt = now + input.ttlMs;
    era.scores.set(input.member, (era.scores.get(input.member) ?? 0) + input.by);
    while (era.scores.size > input.maxEntries) {
      let lowest: string | undefined;
      let min = Infinity;
      for (const [member, score] of era.scores) {
        if (score < min || (score === min && lowest !== undefined && member < lowest)) {
          min = score;
          lowest = member;
        }
      }
      era.scores.delete(lowest!);
    }
    this.known.add(input.companyId);
    this.dropExpired(now);
  }

  private dropExpired(now: number): void {
    for (const [key, era] of this.eras) if (era.expiresAt <= now) this.eras.delete(key);
  }
}

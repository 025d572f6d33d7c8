/**
 * Bounded company_id label values. Every distinct label value is a new time series in every metric that
 * carries it, so naming each of thousands of tenants would grow Prometheus without limit. `top:K` names
 * the K busiest companies and folds the rest into `other`.
 */
export const OTHER_COMPANY = 'other';
/** A recording with no tenant: public and admin routes, unauthenticated requests, work outside a request. */
export const NO_COMPANY = 'none';
/** Every company under METRICS_COMPANY_LABEL=off. */
export const REDACTED_COMPANY = 'redacted';

export type CompanyLabelPolicy = { mode: 'top'; k: number } | { mode: 'all' } | { mode: 'off' };

export interface CompanyLabelerOptions {
  /** Candidates tracked by the space-saving counters (members always are). Default max(8·K, 64). */
  capacity?: number;
  /** Traffic counts halve over this time, so yesterday's busiest company does not keep its seat forever. */
  halfLifeMs?: number;
  /** Seats change hands at most this often, so series are not created and dropped on every request. */
  reevaluateEveryMs?: number;
  /** A challenger takes the least busy member's seat only when this many times busier (no flapping). */
  hysteresis?: number;
}

/** Rescale the decayed counts before the growing increment loses float precision. */
const MAX_WEIGHT = 1e9;

/**
 * Decayed space-saving top-K over the companies that record metrics. Pure: time is passed in.
 * Free seats go to the first companies seen; once full, a company takes the least busy member's seat at
 * the next re-evaluation if it is busier by the hysteresis factor. Companies that lose their seat are
 * reported by `takeEvicted()` so their named series can be dropped: at any time at most K companies are
 * named, plus `other`.
 */
export class CompanyLabeler {
  private readonly k: number;
  private readonly capacity: number;
  private readonly halfLifeMs: number;
  private readonly reevaluateEveryMs: number;
  private readonly hysteresis: number;
  /** Decayed counts, scaled by 2^((t - epoch) / halfLife) so that decaying never touches every entry. */
  private readonly counts = new Map<string, number>();
  private readonly seats = new Set<string>();
  private readonly evicted = new Set<string>();
  private epochMs: number | undefined;
  private lastEvaluatedMs: number | undefined;

  constructor(
    private readonly policy: CompanyLabelPolicy,
    options: CompanyLabelerOptions = {},
  ) {
    this.k = policy.mode === 'top' ? policy.k : 0;
    this.capacity = Math.max(options.capacity ?? 8 * this.k, 64, this.k + 1);
    this.halfLifeMs = options.halfLifeMs ?? 10 * 60_000;
    this.reevaluateEveryMs = options.reevaluateEveryMs ?? 60_000;
    this.hysteresis = options.hysteresis ?? 1.2;
  }

  /** Counts one unit of the company's traffic and returns its label value. */
  observe(companyId: string | undefined, nowMs: number): string {
    if (companyId === undefined) return NO_COMPANY;
    if (this.policy.mode !== 'top') return this.labelOf(companyId);
    this.count(companyId, nowMs);
    if (this.lastEvaluatedMs === undefined) this.lastEvaluatedMs = nowMs;
    else if (nowMs - this.lastEvaluatedMs >= this.reevaluateEveryMs) this.reevaluate(nowMs);
    if (!this.seats.has(companyId) && this.seats.size < this.k) this.seats.add(companyId);
    return this.labelOf(companyId);
  }

  /** The label value without counting traffic (gauges read at scrape time). */
  labelOf(companyId: string | undefined): string {
    if (companyId === undefined) return NO_COMPANY;
    switch (this.policy.mode) {
      case 'all':
        return companyId;
      case 'off':
        return REDACTED_COMPANY;
      case 'top':
        return this.seats.has(companyId) ? companyId : OTHER_COMPANY;
    }
  }

  /** Companies that lost their seat since the last call; their named series should be removed. */
  takeEvicted(): string[] {
    if (this.evicted.size === 0) return [];
    const out = [...this.evicted].filter((c) => !this.seats.has(c));
    this.evicted.clear();
    return out;
  }

  /** The named companies, busiest first. */
  members(): string[] {
    return [...this.seats].sort((a, b) => (this.counts.get(b) ?? 0) - (this.counts.get(a) ?? 0));
  }

  private count(companyId: string, nowMs: number): void {
    this.epochMs ??= nowMs;
    let weight = 2 ** (Math.max(0, nowMs - this.epochMs) / this.halfLifeMs);
    if (weight > MAX_WEIGHT) {
      for (const [c, n] of this.counts) this.counts.set(c, n / weight);
      this.epochMs = nowMs;
      weight = 1;
    }
    const current = this.counts.get(companyId);
    if (current !== undefined) {
      this.counts.set(companyId, current + weight);
      return;
    }
    let floor = 0;
    if (this.counts.size >= this.capacity) {
      // Space-saving: the newcomer inherits the smallest non-member count, an upper bound of what it missed.
      const [victim, victimCount] = this.leastBusy((c) => !this.seats.has(c));
      if (victim !== undefined) {
        this.counts.delete(victim);
        floor = victimCount;
      }
    }
    this.counts.set(companyId, floor + weight);
  }

  private reevaluate(nowMs: number): void {
    this.lastEvaluatedMs = nowMs;
    const challengers = [...this.counts].filter(([c]) => !this.seats.has(c)).sort((a, b) => b[1] - a[1]);
    for (const [challenger, challengerCount] of challengers) {
      if (this.seats.size < this.k) {
        this.seats.add(challenger);
        continue;
      }
      const [member, memberCount] = this.leastBusy((c) => this.seats.has(c), this.seats);
      if (member === undefined || challengerCount <= memberCount * this.hysteresis) break;
      this.seats.delete(member);
      this.evicted.add(member);
      this.seats.add(challenger);
    }
  }

  private leastBusy(
    eligible: (companyId: string) => boolean,
    among: Iterable<string> = this.counts.keys(),
  ): [string | undefined, number] {
    let best: string | undefined;
    let bestCount = Infinity;
    for (const c of among) {
      if (!eligible(c)) continue;
      const n = this.counts.get(c) ?? 0;
      if (n < bestCount) {
        best = c;
        bestCount = n;
      }
    }
    return [best, best === undefined ? 0 : bestCount];
  }
}

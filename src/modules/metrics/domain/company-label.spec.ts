import fc from 'fast-check';
import { CompanyLabeler, NO_COMPANY, OTHER_COMPANY, REDACTED_COMPANY } from './company-label';

const company = fc.constantFrom(...Array.from({ length: 60 }, (_, i) => `c${i}`));
/** A request: which company, and how far the clock moved since the previous one. */
const traffic = fc.array(fc.tuple(company, fc.integer({ min: 0, max: 120_000 })), { maxLength: 2_000 });

describe('CompanyLabeler', () => {
  it('names at most K companies plus other, whatever the traffic (evicted names are dropped)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), traffic, (k, requests) => {
        const labeler = new CompanyLabeler({ mode: 'top', k }, { reevaluateEveryMs: 60_000 });
        const live = new Set<string>();
        let now = 0;
        for (const [companyId, step] of requests) {
          now += step;
          live.add(labeler.observe(companyId, now));
          for (const gone of labeler.takeEvicted()) live.delete(gone);
          if (live.size > k + 1) return false;
          if (labeler.members().length > k) return false;
        }
        return [...live].every((l) => l === OTHER_COMPANY || labeler.members().includes(l));
      }),
    );
  });

  it('returns at most K+1 distinct labels between re-evaluations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(company, { maxLength: 2_000 }), (k, companies) => {
        const labeler = new CompanyLabeler({ mode: 'top', k });
        return new Set(companies.map((c) => labeler.observe(c, 1_000))).size <= k + 1;
      }),
    );
  });

  it('gives a newly busy company the seat of the least busy member at the next re-evaluation', () => {
    const labeler = new CompanyLabeler({ mode: 'top', k: 2 }, { reevaluateEveryMs: 60_000 });
    for (const c of ['quiet-a', 'quiet-b']) labeler.observe(c, 0);
    for (let i = 0; i < 50; i++) expect(labeler.observe('busy', 1_000 + i)).toBe(OTHER_COMPANY);
    expect(labeler.observe('busy', 61_000)).toBe('busy');
    expect(labeler.takeEvicted()).toHaveLength(1);
    expect(labeler.members()[0]).toBe('busy');
  });

  it('does not hand a seat over to a challenger that is barely busier (hysteresis)', () => {
    const labeler = new CompanyLabeler(
      { mode: 'top', k: 1 },
      { reevaluateEveryMs: 60_000, halfLifeMs: 1e12 },
    );
    for (let i = 0; i < 10; i++) labeler.observe('member', i);
    // 11 against 10: busier, but not 1.2 times busier.
    for (let i = 0; i < 10; i++) labeler.observe('challenger', 100 + i);
    expect(labeler.observe('challenger', 61_000)).toBe(OTHER_COMPANY);
    expect(labeler.takeEvicted()).toEqual([]);
  });

  it('lets old traffic decay so a company that went quiet loses its seat', () => {
    const labeler = new CompanyLabeler(
      { mode: 'top', k: 1 },
      { halfLifeMs: 60_000, reevaluateEveryMs: 60_000 },
    );
    for (let i = 0; i < 100; i++) labeler.observe('yesterday', i);
    const hour = 3_600_000;
    for (let i = 0; i < 5; i++) labeler.observe('today', hour + i);
    expect(labeler.observe('today', hour + 61_000)).toBe('today');
    expect(labeler.takeEvicted()).toEqual(['yesterday']);
  });

  it('stays bounded in memory with many more companies than its capacity', () => {
    const labeler = new CompanyLabeler({ mode: 'top', k: 5 }, { capacity: 64 });
    for (let i = 0; i < 10_000; i++) labeler.observe(`c${i % 5_000}`, i * 100);
    expect(labeler.members()).toHaveLength(5);
    expect((labeler as unknown as { counts: Map<string, number> }).counts.size).toBeLessThanOrEqual(64);
  });

  it('names every company under all, none under off, and a missing company as none', () => {
    expect(new CompanyLabeler({ mode: 'all' }).observe('acme', 0)).toBe('acme');
    expect(new CompanyLabeler({ mode: 'off' }).observe('acme', 0)).toBe(REDACTED_COMPANY);
    expect(new CompanyLabeler({ mode: 'top', k: 3 }).observe(undefined, 0)).toBe(NO_COMPANY);
  });
});

import { decayedIncrement, ERA_HALF_LIVES, mergeEras } from './popularity-decay';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 5, 1);

describe('popularity decay', () => {
  it('doubles the weight of a use per half-life', () => {
    const a = decayedIncrement({ nowMs: T0, halfLifeMs: HOUR });
    const b = decayedIncrement({ nowMs: T0 + HOUR, halfLifeMs: HOUR });
    if (a.era === b.era) expect(b.increment / a.increment).toBeCloseTo(2, 10);
    else expect((b.increment * 2 ** ERA_HALF_LIVES) / a.increment).toBeCloseTo(2, 6);
  });

  it('keeps increments bounded however far the clock runs', () => {
    for (const years of [0, 1, 10, 50]) {
      const { increment } = decayedIncrement({ nowMs: T0 + years * 365 * 24 * HOUR, halfLifeMs: HOUR });
      expect(increment).toBeGreaterThanOrEqual(1);
      expect(increment).toBeLessThanOrEqual(2 ** ERA_HALF_LIVES);
    }
  });

  it('ranks one recent use above many old ones once enough half-lives pass', () => {
    const old = decayedIncrement({ nowMs: T0, halfLifeMs: HOUR });
    const recent = decayedIncrement({ nowMs: T0 + 5 * HOUR, halfLifeMs: HOUR });
    expect(old.era).toBe(recent.era);
    const top = mergeEras({
      current: [
        { member: 'old', score: 10 * old.increment },
        { member: 'recent', score: recent.increment },
      ],
      previous: [],
      n: 2,
    });
    expect(top.map((m) => m.member)).toEqual(['recent', 'old']);
  });

  it('merges the previous era at its true (smaller) weight', () => {
    const top = mergeEras({
      current: [{ member: 'a', score: 1 }],
      previous: [
        { member: 'b', score: 2 ** ERA_HALF_LIVES * 3 },
        { member: 'a', score: 2 ** ERA_HALF_LIVES },
      ],
      n: 5,
    });
    expect(top).toEqual([
      { member: 'b', score: 3 },
      { member: 'a', score: 2 },
    ]);
  });
});

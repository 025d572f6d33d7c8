/**
 * Exponentially decayed popularity without rewriting old scores: a use at time t adds 2^(t / halfLife), so a
 * use one half-life later weighs twice as much, which is the same ranking as decaying every score by half per
 * half-life. Exponents grow without bound, so time is cut into eras of ERA_HALF_LIVES half-lives, each with
 * its own base: increments stay within [1, 2^ERA_HALF_LIVES] and a score of the previous era is worth
 * 2^-ERA_HALF_LIVES of the same score now. Pure.
 */

export const ERA_HALF_LIVES = 64;

/** Fixed origin of the clock; any constant works, this one keeps exponents small for years. */
const ORIGIN_MS = Date.UTC(2026, 0, 1);

export interface DecayedIncrement {
  era: number;
  increment: number;
}

export function decayedIncrement(input: { nowMs: number; halfLifeMs: number }): DecayedIncrement {
  const halfLives = Math.max(0, input.nowMs - ORIGIN_MS) / input.halfLifeMs;
  const era = Math.floor(halfLives / ERA_HALF_LIVES);
  return { era, increment: 2 ** (halfLives - era * ERA_HALF_LIVES) };
}

export interface ScoredMember {
  member: string;
  score: number;
}

/** Top `n` of the current era's scores plus the previous era's, brought to the current base. */
export function mergeEras(input: {
  current: ScoredMember[];
  previous: ScoredMember[];
  n: number;
}): ScoredMember[] {
  const totals = new Map<string, number>();
  for (const { member, score } of input.current) totals.set(member, (totals.get(member) ?? 0) + score);
  const scale = 2 ** -ERA_HALF_LIVES;
  for (const { member, score } of input.previous)
    totals.set(member, (totals.get(member) ?? 0) + score * scale);
  return [...totals]
    .map(([member, score]) => ({ member, score }))
    .sort((a, b) => b.score - a.score || a.member.localeCompare(b.member))
    .slice(0, input.n);
}

/** Eras live this long: the current one, plus the previous one while it can still matter. */
export function eraTtlMs(halfLifeMs: number): number {
  return 2 * ERA_HALF_LIVES * halfLifeMs;
}

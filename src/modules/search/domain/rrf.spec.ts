import { reciprocalRankFusion } from './rrf';

const keyOf = (item: { id: string }) => item.id;
const list = (...ids: string[]) => ids.map((id) => ({ id }));

describe('reciprocalRankFusion', () => {
  it('scores Σ 1/(k + rank) and ranks documents found by both lists first', () => {
    const fused = reciprocalRankFusion([{ items: list('a', 'b', 'c') }, { items: list('c', 'a', 'd') }], {
      keyOf,
      k: 60,
    });
    expect(fused.map((f) => f.key)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[0].ranks).toEqual([1, 2]);
    expect(fused[3].ranks).toEqual([undefined, 3]);
  });

  it('applies list weights', () => {
    const fused = reciprocalRankFusion([{ items: list('a', 'b') }, { items: list('b', 'a'), weight: 2 }], {
      keyOf,
      k: 60,
    });
    expect(fused.map((f) => f.key)).toEqual(['b', 'a']);
    expect(fused[0].score).toBeCloseTo(1 / 62 + 2 / 61, 12);
  });

  it('breaks equal scores by best rank, then by key, so results are deterministic', () => {
    const fused = reciprocalRankFusion([{ items: list('x', 'y') }, { items: list('y', 'x') }], { keyOf });
    expect(fused.map((f) => f.key)).toEqual(['x', 'y']);
  });

  it('counts a duplicate within one list once, at its best rank', () => {
    const fused = reciprocalRankFusion([{ items: list('a', 'a', 'b') }], { keyOf, k: 0 });
    expect(fused.map((f) => [f.key, f.score])).toEqual([
      ['a', 1],
      ['b', 1 / 3],
    ]);
  });

  it('limits the result and handles empty input', () => {
    expect(reciprocalRankFusion([], { keyOf })).toEqual([]);
    expect(reciprocalRankFusion([{ items: [] }], { keyOf })).toEqual([]);
    expect(
      reciprocalRankFusion([{ items: list('a', 'b', 'c') }], { keyOf, limit: 2 }).map((f) => f.key),
    ).toEqual(['a', 'b']);
  });

  it('rejects a negative k', () => {
    expect(() => reciprocalRankFusion([{ items: list('a') }], { keyOf, k: -1 })).toThrow(RangeError);
  });
});

/**
 * Reciprocal rank fusion (Cormack et al., 2009): score(d) = Σ weight_i / (k + rank_i(d)), rank from 1.
 * Fuses lists whose scores are not comparable (cosine vs BM25) using ranks only.
 */
export interface RankedList<T> {
  items: T[];
  /** Default 1. */
  weight?: number;
}

export interface FusedItem<T> {
  key: string;
  item: T;
  score: number;
  /** 1-based rank of the item in each input list, undefined where it was absent. */
  ranks: (number | undefined)[];
}

export interface RrfOptions<T> {
  keyOf: (item: T) => string;
  /** The smoothing constant; 60 in the original paper. */
  k?: number;
  limit?: number;
}

export function reciprocalRankFusion<T>(lists: RankedList<T>[], options: RrfOptions<T>): FusedItem<T>[] {
  const k = options.k ?? 60;
  if (k < 0) throw new RangeError('rrf k must be ≥ 0');
  const fused = new Map<string, FusedItem<T>>();
  lists.forEach((list, listIndex) => {
    const weight = list.weight ?? 1;
    const seen = new Set<string>();
    list.items.forEach((item, index) => {
      const key = options.keyOf(item);
      // A duplicate inside one list counts once, at its best rank.
      if (seen.has(key)) return;
      seen.add(key);
      const rank = index + 1;
      let entry = fused.get(key);
      if (!entry) {
        entry = { key, item, score: 0, ranks: lists.map(() => undefined) };
        fused.set(key, entry);
      }
      entry.ranks[listIndex] = rank;
      entry.score += weight / (k + rank);
    });
  });
  const sorted = [...fused.values()].sort(
    (a, b) => b.score - a.score || bestRank(a) - bestRank(b) || a.key.localeCompare(b.key),
  );
  return options.limit === undefined ? sorted : sorted.slice(0, options.limit);
}

function bestRank(entry: FusedItem<unknown>): number {
  return Math.min(...entry.ranks.map((rank) => rank ?? Number.POSITIVE_INFINITY));
}

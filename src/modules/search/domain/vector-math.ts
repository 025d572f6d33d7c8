/** Cosine helpers over Float32Array. Vectors are stored unit-length so cosine is a dot product. */

export function normalized(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** Dot product of `query` with the row starting at `offset` in a flat row-major matrix. */
export function dotAt(query: Float32Array, matrix: Float32Array, offset: number): number {
  const n = query.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  // Four accumulators let the JIT keep more multiply-adds in flight.
  for (; i + 3 < n; i += 4) {
    s0 += query[i] * matrix[offset + i];
    s1 += query[i + 1] * matrix[offset + i + 1];
    s2 += query[i + 2] * matrix[offset + i + 2];
    s3 += query[i + 3] * matrix[offset + i + 3];
  }
  for (; i < n; i++) s0 += query[i] * matrix[offset + i];
  return s0 + s1 + s2 + s3;
}

/**
 * Keeps the k highest-scoring labels seen (a min-heap on score). Ties go to the label `tieOrder` puts first
 * (default: the lower label); callers whose labels are storage slots order ties by their ids instead.
 */
export class TopK {
  private readonly scores: number[] = [];
  private readonly labels: number[] = [];

  constructor(
    private readonly k: number,
    private readonly tieOrder: (labelA: number, labelB: number) => number = (a, b) => a - b,
  ) {}

  get size(): number {
    return this.scores.length;
  }

  /** The score a candidate must beat to enter, -Infinity while not full. */
  get threshold(): number {
    return this.scores.length < this.k ? Number.NEGATIVE_INFINITY : this.scores[0];
  }

  offer(label: number, score: number): void {
    if (this.k <= 0) return;
    if (this.scores.length < this.k) {
      this.scores.push(score);
      this.labels.push(label);
      this.siftUp(this.scores.length - 1);
    } else if (this.better(score, label, this.scores[0], this.labels[0])) {
      this.scores[0] = score;
      this.labels[0] = label;
      this.siftDown(0);
    }
  }

  /** Best first. */
  sorted(): { label: number; score: number }[] {
    return this.labels
      .map((label, i) => ({ label, score: this.scores[i] }))
      .sort((a, b) => b.score - a.score || this.tieOrder(a.label, b.label));
  }

  private better(scoreA: number, labelA: number, scoreB: number, labelB: number): boolean {
    return scoreA > scoreB || (scoreA === scoreB && this.tieOrder(labelA, labelB) < 0);
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(this.scores[parent], this.labels[parent], this.scores[i], this.labels[i])) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    let i = index;
    const n = this.scores.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (
        left < n &&
        this.better(this.scores[worst], this.labels[worst], this.scores[left], this.labels[left])
      )
        worst = left;
      if (
        right < n &&
        this.better(this.scores[worst], this.labels[worst], this.scores[right], this.labels[right])
      )
        worst = right;
      if (worst === i) return;
      this.swap(i, worst);
      i = worst;
    }
  }

  private swap(a: number, b: number): void {
    [this.scores[a], this.scores[b]] = [this.scores[b], this.scores[a]];
    [this.labels[a], this.labels[b]] = [this.labels[b], this.labels[a]];
  }
}

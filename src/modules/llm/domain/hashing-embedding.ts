import { isIdentifierLike, REQUEST_WORDS, STOPWORDS, words } from './text-features';

export interface HashingEmbeddingOptions {
  dimension: number;
  /** Character n-gram sizes taken inside each word (with boundary marks); they make Korean work without a tokenizer. */
  charNgrams?: [min: number, max: number];
  /** Relative weight of the word-level block against the character block. */
  wordWeight?: number;
}

/**
 * Stateless "hashing trick" embedding: word unigrams + bigrams and character 2-5-grams, sublinear TF
 * (1 + ln tf), each feature hashed to a bucket with a sign from an independent hash bit so collisions
 * cancel in expectation instead of piling up. Each block is L2-normalized before mixing so short texts
 * are not dominated by their many character n-grams; the result is L2-normalized. Deterministic.
 */
export function hashingEmbed(text: string, options: HashingEmbeddingOptions): Float32Array {
  const { dimension, charNgrams = [2, 5], wordWeight = 0.3 } = options;
  const all = words(text);
  // Without corpus statistics there is no IDF: dropping function words, the words that phrase a request and
  // identifiers (order and account numbers, unique to one message) is the static stand-in for it.
  const content = all.filter((w) => !STOPWORDS.has(w) && !REQUEST_WORDS.has(w) && !isIdentifierLike(w));
  const tokens = content.length > 0 ? content : all;

  // Features are counted by their two 32-bit hashes (bucket and sign) instead of by their text: no n-gram
  // string is ever built, and the counts live in typed arrays reused across calls. Two features merge only
  // if both hashes collide (about 1 in 10^19 per pair); otherwise the vector is the same as counting strings.
  const wordCounts = WORD_COUNTS.reset();
  const charCounts = CHAR_COUNTS.reset();
  const [minN, maxN] = charNgrams;
  const starts: number[] = [];
  let previous: string | undefined;
  for (const word of tokens) {
    count(wordCounts, feed(feed(FNV_SEED, 'w:'), word), feed(feed(SIGN_SEED, 'w:'), word));
    if (previous !== undefined) {
      const a = feed(feed(feed(feed(FNV_SEED, 'b:'), previous), ' '), word);
      const b = feed(feed(feed(feed(SIGN_SEED, 'b:'), previous), ' '), word);
      count(wordCounts, a, b);
    }
    previous = word;

    // Character n-grams over code points of " word " (boundary marks), hashed over their UTF-16 code units.
    const marked = ` ${word} `;
    starts.length = 0;
    for (let i = 0; i < marked.length; i++) {
      starts.push(i);
      const code = marked.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < marked.length) i++;
    }
    const length = starts.length;
    starts.push(marked.length);
    // n-major order, as the counts were always filled: the first-seen order decides the summation order.
    for (let n = minN; n <= maxN; n++) {
      for (let start = 0; start + n <= length; start++) {
        let a = FNV_SEED;
        let b = SIGN_SEED;
        for (let unit = starts[start], stop = starts[start + n]; unit < stop; unit++) {
          const code = marked.charCodeAt(unit);
          a = Math.imul(a ^ code, FNV_PRIME);
          b = Math.imul(b ^ code, FNV_PRIME);
        }
        count(charCounts, a, b);
      }
    }
    // Short words (and single Hangul syllables) would produce no n-gram of the minimum size.
    if (length < minN) count(charCounts, feed(FNV_SEED, marked), feed(SIGN_SEED, marked));
  }

  const vector = new Float32Array(dimension);
  accumulate(vector, wordCounts, wordWeight);
  accumulate(vector, charCounts, 1 - wordWeight);
  return l2Normalize(vector);
}

const FNV_SEED = 0x811c9dc5;
const SIGN_SEED = 0x9747b28c;
const FNV_PRIME = 0x01000193;

/**
 * Counts of features keyed by their two finalized hashes, in first-seen order (which fixes the order of
 * the float sums). Open addressing over typed arrays: no allocation per feature. One per block, reused:
 * hashingEmbed is synchronous, so a call never interleaves with another.
 */
class FeatureCounts {
  private capacity = 0;
  private bucketHash = new Int32Array(0);
  private signHash = new Int32Array(0);
  private counts = new Int32Array(0);
  private slotUsed = new Uint8Array(0);
  private order = new Int32Array(0);
  size = 0;

  constructor(initialCapacity: number) {
    this.allocate(initialCapacity);
  }

  reset(): this {
    for (let i = 0; i < this.size; i++) this.slotUsed[this.order[i]] = 0;
    this.size = 0;
    return this;
  }

  add(bucketHash: number, signHash: number): void {
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    const mask = this.capacity - 1;
    let slot = bucketHash & mask;
    while (this.slotUsed[slot] === 1) {
      if (this.bucketHash[slot] === bucketHash && this.signHash[slot] === signHash) {
        this.counts[slot]++;
        return;
      }
      slot = (slot + 1) & mask;
    }
    this.slotUsed[slot] = 1;
    this.bucketHash[slot] = bucketHash;
    this.signHash[slot] = signHash;
    this.counts[slot] = 1;
    this.order[this.size++] = slot;
  }

  /** The i-th feature in first-seen order. */
  at(i: number): { bucketHash: number; sign: number; tf: number } {
    const slot = this.order[i];
    return { bucketHash: this.bucketHash[slot] >>> 0, sign: this.signHash[slot] & 1, tf: this.counts[slot] };
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.bucketHash = new Int32Array(capacity);
    this.signHash = new Int32Array(capacity);
    this.counts = new Int32Array(capacity);
    this.slotUsed = new Uint8Array(capacity);
    this.order = new Int32Array(capacity);
  }

  private grow(): void {
    const entries = Array.from({ length: this.size }, (_, i) => this.order[i]).map((slot) => ({
      a: this.bucketHash[slot],
      b: this.signHash[slot],
      n: this.counts[slot],
    }));
    this.allocate(this.capacity * 2);
    this.size = 0;
    for (const { a, b, n } of entries) {
      this.add(a, b);
      this.counts[this.order[this.size - 1]] = n;
    }
  }
}

const WORD_COUNTS = new FeatureCounts(1024);
const CHAR_COUNTS = new FeatureCounts(4096);

/** Counts a feature by its raw (not yet finalized) FNV states under the bucket and the sign seed. */
function count(counts: FeatureCounts, bucketState: number, signState: number): void {
  counts.add(fmix(bucketState), fmix(signState));
}

function accumulate(vector: Float32Array, counts: FeatureCounts, blockWeight: number): void {
  if (counts.size === 0 || blockWeight === 0) return;
  const dimension = vector.length;
  const indices = new Int32Array(counts.size);
  const values = new Float64Array(counts.size);
  let norm = 0;
  for (let i = 0; i < counts.size; i++) {
    const { bucketHash, sign, tf } = counts.at(i);
    const value = (1 + Math.log(tf)) * (sign === 1 ? 1 : -1);
    indices[i] = bucketHash % dimension;
    values[i] = value;
    norm += value * value;
  }
  const scale = blockWeight / Math.sqrt(norm);
  for (let j = 0; j < indices.length; j++) vector[indices[j]] += values[j] * scale;
}

export function l2Normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  if (norm === 0) return vector;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] *= inv;
  return vector;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** 32-bit FNV-1a over UTF-16 code units, continued from `state`: fast, stable across runs and platforms. */
function feed(state: number, text: string): number {
  let hash = state;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** Final avalanche (murmur3 fmix) so low bits used by the modulo are well mixed. */
function fmix(state: number): number {
  let hash = state;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash;
}

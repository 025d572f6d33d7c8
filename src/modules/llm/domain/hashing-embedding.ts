import { STOPWORDS, words } from './text-features';

export interface HashingEmbeddingOptions {
  dimension: number;
  /** Character n-gram sizes taken inside each word (with boundary marks); they make Korean work without a tokenizer. */
  charNgrams?: [min: number, max: number];
  /** Relative weight of the word-level block against the character block. */
  wordWeight?: number;
}

/**
 * Stateless "hashing trick" embedding: word unigrams + bigrams and character n-grams, sublinear TF
 * (1 + ln tf), each feature hashed to a bucket with a sign from an independent hash bit so collisions
 * cancel in expectation instead of piling up. Each block is L2-normalized before mixing so short texts
 * are not dominated by their many character n-grams; the result is L2-normalized. Deterministic.
 */
export function hashingEmbed(text: string, options: HashingEmbeddingOptions): Float32Array {
  const { dimension, charNgrams = [3, 5], wordWeight = 0.3 } = options;
  const all = words(text);
  // Without corpus statistics there is no IDF: dropping function words is the static stand-in for it.
  const content = all.filter((w) => !STOPWORDS.has(w));
  const tokens = content.length > 0 ? content : all;

  const wordCounts = new Map<string, number>();
  const charCounts = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  tokens.forEach((word, i) => {
    add(wordCounts, `w:${word}`);
    if (i > 0) add(wordCounts, `b:${tokens[i - 1]} ${word}`);
    const marked = ` ${word} `;
    const chars = Array.from(marked);
    for (let n = charNgrams[0]; n <= charNgrams[1]; n++) {
      for (let start = 0; start + n <= chars.length; start++)
        add(charCounts, chars.slice(start, start + n).join(''));
    }
    // Short words (and single Hangul syllables) would produce no n-gram of the minimum size.
    if (chars.length < charNgrams[0]) add(charCounts, marked);
  });

  const vector = new Float32Array(dimension);
  accumulate(vector, wordCounts, wordWeight);
  accumulate(vector, charCounts, 1 - wordWeight);
  return l2Normalize(vector);
}

function accumulate(vector: Float32Array, counts: Map<string, number>, blockWeight: number): void {
  if (counts.size === 0 || blockWeight === 0) return;
  const dimension = vector.length;
  const indices: number[] = [];
  const values: number[] = [];
  let norm = 0;
  for (const [feature, tf] of counts) {
    const hash = fnv1a(feature);
    const value = (1 + Math.log(tf)) * (signHash(feature) ? 1 : -1);
    indices.push(hash % dimension);
    values.push(value);
    norm += value * value;
  }
  const scale = blockWeight / Math.sqrt(norm);
  for (let i = 0; i < indices.length; i++) vector[indices[i]] += values[i] * scale;
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

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Final avalanche (murmur3 fmix) so low bits used by the modulo are well mixed.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function signHash(text: string): boolean {
  return (fnv1a(text, 0x9747b28c) & 1) === 1;
}

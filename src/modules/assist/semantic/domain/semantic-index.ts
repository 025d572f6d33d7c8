/**
 * The nearest-neighbour store of the semantic cache, as one bounded value per company and scope: the most
 * recent questions with their embeddings quantized to int8 (a quarter of the size of float32, cosine error
 * around 0.001), so a lookup is one cache read and a linear scan. Pure.
 */

export interface SemanticIndexEntry {
  /** Names the entry's answer (a hash of the normalized question). */
  id: string;
  question: string;
  /** int8 components, base64. */
  vector: string;
  storedAt: number;
}

export interface SemanticIndex {
  /** The embedding model and dimension of every vector in the index. */
  model: string;
  entries: SemanticIndexEntry[];
}

export interface SemanticCandidate {
  entry: SemanticIndexEntry;
  similarity: number;
}

/** Scales the largest component to ±127; cosine ignores the scale, so it is not kept. */
export function quantize(vector: Float32Array | number[]): Int8Array {
  let max = 0;
  for (const v of vector) max = Math.max(max, Math.abs(v));
  const out = new Int8Array(vector.length);
  if (max === 0) return out;
  for (let i = 0; i < vector.length; i++) out[i] = Math.round((vector[i] / max) * 127);
  return out;
}

export function encodeVector(vector: Int8Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function decodeVector(encoded: string): Int8Array {
  const bytes = Buffer.from(encoded, 'base64');
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function cosine(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Entries at or above the threshold, most similar first. */
export function nearest(input: {
  index: SemanticIndex;
  query: Int8Array;
  threshold: number;
}): SemanticCandidate[] {
  const candidates: SemanticCandidate[] = [];
  for (const entry of input.index.entries) {
    const similarity = cosine(input.query, decodeVector(entry.vector));
    if (similarity >= input.threshold) candidates.push({ entry, similarity });
  }
  return candidates.sort((a, b) => b.similarity - a.similarity);
}

/** Puts the entry first, drops an older entry of the same question, keeps at most `maxEntries`. */
export function withEntry(input: {
  index: SemanticIndex | undefined;
  model: string;
  entry: SemanticIndexEntry;
  maxEntries: number;
}): SemanticIndex {
  const previous = input.index?.model === input.model ? input.index.entries : [];
  const rest = previous.filter((e) => e.id !== input.entry.id);
  return { model: input.model, entries: [input.entry, ...rest].slice(0, Math.max(1, input.maxEntries)) };
}

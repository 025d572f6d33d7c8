import { matchesFilter, SearchFilter, SearchPayload } from './search-document';
import { tokenize } from './text-tokens';
import { TopK } from './vector-math';

export interface Bm25Params {
  k1: number;
  b: number;
}

/** One document as stored: term frequencies, not text, so a snapshot stays small. */
export interface Bm25StoredDocument {
  id: string;
  length: number;
  terms: Record<string, number>;
  payload: SearchPayload;
}

export interface Bm25Snapshot {
  version: 1;
  documents: Bm25StoredDocument[];
}

export const BM25_DEFAULTS: Bm25Params = { k1: 1.2, b: 0.75 };

/** BM25 idf: never negative, ≈ 0 for a term in every document, largest for a term in none. */
export function bm25Idf(documentCount: number, df: number): number {
  return Math.log(1 + (documentCount - df + 0.5) / (df + 0.5));
}

/**
 * A BM25 score on a 0-1 scale: divided by the most any document could score for this query, each distinct
 * query term at its saturated weight idf × (k1 + 1). Terms no document holds count at their (high) idf, so a
 * query whose distinctive words are unknown to the index scores low whatever its common words match.
 */
export function normalizedKeywordScore(input: { score: number; termIdfs: number[]; k1: number }): number {
  const bound = input.termIdfs.reduce((sum, idf) => sum + idf * (input.k1 + 1), 0);
  return bound > 0 ? Math.min(1, input.score / bound) : 0;
}

/**
 * An Okapi BM25 inverted index over one company's documents of one type. Pure and in memory. Ranks by BM25;
 * the scores it returns are normalized (normalizedKeywordScore), which keeps that order.
 */
export class Bm25Index {
  private readonly documents = new Map<string, Bm25StoredDocument>();
  private readonly postings = new Map<string, Map<string, number>>();
  private totalLength = 0;

  constructor(private readonly params: Bm25Params = BM25_DEFAULTS) {}

  static fromSnapshot(snapshot: Bm25Snapshot, params?: Bm25Params): Bm25Index {
    const index = new Bm25Index(params);
    for (const document of snapshot.documents) index.insert(document);
    return index;
  }

  get size(): number {
    return this.documents.size;
  }

  upsert(id: string, text: string, payload: SearchPayload): void {
    this.remove(id);
    // No prototype: tokens such as "constructor" must not hit Object.prototype.
    const terms = Object.create(null) as Record<string, number>;
    const tokens = tokenize(text);
    for (const token of tokens) terms[token] = (terms[token] ?? 0) + 1;
    this.insert({ id, length: tokens.length, terms, payload });
  }

  remove(id: string): boolean {
    const existing = this.documents.get(id);
    if (!existing) return false;
    for (const term of Object.keys(existing.terms)) {
      const posting = this.postings.get(term);
      posting?.delete(id);
      if (posting && posting.size === 0) this.postings.delete(term);
    }
    this.totalLength -= existing.length;
    this.documents.delete(id);
    return true;
  }

  search(
    query: string,
    k: number,
    filter?: SearchFilter,
  ): { id: string; score: number; payload: SearchPayload }[] {
    const n = this.documents.size;
    if (n === 0 || k <= 0) return [];
    const averageLength = this.totalLength / n || 1;
    const { k1, b } = this.params;
    const scores = new Map<string, number>();
    const termIdfs: number[] = [];
    for (const term of new Set(tokenize(query))) {
      const posting = this.postings.get(term);
      const idf = bm25Idf(n, posting?.size ?? 0);
      termIdfs.push(idf);
      if (!posting) continue;
      for (const [id, tf] of posting) {
        const length = this.documents.get(id)!.length;
        const weight = (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / averageLength));
        scores.set(id, (scores.get(id) ?? 0) + weight);
      }
    }
    const ids = [...scores.keys()].sort();
    const top = new TopK(k);
    ids.forEach((id, label) => {
      if (matchesFilter(this.documents.get(id)!.payload, filter)) top.offer(label, scores.get(id)!);
    });
    return top.sorted().map(({ label, score }) => ({
      id: ids[label],
      score: normalizedKeywordScore({ score, termIdfs, k1 }),
      payload: this.documents.get(ids[label])!.payload,
    }));
  }

  snapshot(): Bm25Snapshot {
    return { version: 1, documents: [...this.documents.values()] };
  }

  private insert(document: Bm25StoredDocument): void {
    this.documents.set(document.id, document);
    this.totalLength += document.length;
    for (const [term, tf] of Object.entries(document.terms)) {
      let posting = this.postings.get(term);
      if (!posting) {
        posting = new Map();
        this.postings.set(term, posting);
      }
      posting.set(document.id, tf);
    }
  }
}

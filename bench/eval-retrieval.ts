/**
 * Retrieval quality of the local hashing embedder: leave-one-out precision@5 (a neighbour counts when it has
 * the same intent) over the public BANKING77 and Bitext sets, against an exact character 3-5-gram TF-IDF baseline.
 *   npm run eval:retrieval            (EVAL_QUERIES=3000 by default: a fixed-seed sample of queries per dataset;
 *                                      every record stays in the searched corpus)
 *   npm run eval:retrieval -- --hybrid
 *                                     vector-only (hashing, EVAL_HYBRID_DIMENSION=512, the local default) vs
 *                                     lexical-only (BM25) vs both fused with RRF, as SearchService does it:
 *                                     k = 3 × 5 candidates from each list, fused, cut to 5.
 *   npm run eval:retrieval -- --hybrid --lexical=postgres
 *                                     the same with the services-mode lexical index (PostgreSQL full text, a
 *                                     fresh schema in $DATABASE_URL, default the machine's `test` database).
 */
import { hashingEmbed } from '../src/modules/llm/domain/hashing-embedding';
import { words } from '../src/modules/llm/domain/text-features';
import { CompanyEntity } from '../src/database/entities';
import { PostgresLexicalIndex } from '../src/modules/search/adapters/postgres.lexical-index.adapter';
import { Bm25Index } from '../src/modules/search/domain/bm25';
import { bareDataSource } from '../test/integration/ingest/bare-data-source';
import { reciprocalRankFusion } from '../src/modules/search/domain/rrf';
import type { SearchPayload } from '../src/modules/search/domain/search-document';
import { readSupportDataset, sampleIndices, SupportRecord } from './lib/dataset';
import { printTable } from './lib/stats';

const K = 5;
const DIMENSIONS = (process.env.EVAL_DIMENSIONS ?? '256,384,512,1024').split(',').map(Number);
const QUERIES = Number(process.env.EVAL_QUERIES ?? 3000);
/** Weight of the BM25 list in the --hybrid fusion (the vector list weighs 1). */
const LEXICAL_WEIGHT = Number(process.env.EVAL_LEXICAL_WEIGHT ?? 1);
const DATASETS = [
  { name: 'BANKING77', file: 'banking77_en.jsonl.gz' },
  { name: 'Bitext', file: 'bitext_customer_support_en.jsonl.gz' },
];

/** Keeps the k best (score, index) pairs, skipping the query itself. */
function precisionAtK(scores: Float32Array | Float64Array, self: number, labels: string[]): number {
  const best: { score: number; index: number }[] = [];
  for (let j = 0; j < scores.length; j++) {
    if (j === self) continue;
    const score = scores[j];
    if (best.length === K && score <= best[K - 1].score) continue;
    best.push({ score, index: j });
    best.sort((a, b) => b.score - a.score);
    if (best.length > K) best.pop();
  }
  return best.filter((b) => labels[b.index] === labels[self]).length / K;
}

function evalHashing(records: SupportRecord[], queries: number[], dimension: number): number {
  const n = records.length;
  // Transposed (dimension × n) so a sparse query touches contiguous rows.
  const matrix = new Float32Array(dimension * n);
  const sparse: { index: number; value: number }[][] = [];
  records.forEach((record, j) => {
    const vector = hashingEmbed(record.body, { dimension });
    const nonZero: { index: number; value: number }[] = [];
    vector.forEach((value, i) => {
      if (value !== 0) {
        matrix[i * n + j] = value;
        nonZero.push({ index: i, value });
      }
    });
    sparse.push(nonZero);
  });
  const labels = records.map((r) => r.intent);
  const scores = new Float32Array(n);
  let total = 0;
  for (const q of queries) {
    scores.fill(0);
    for (const { index, value } of sparse[q]) {
      const row = index * n;
      for (let j = 0; j < n; j++) scores[j] += value * matrix[row + j];
    }
    total += precisionAtK(scores, q, labels);
  }
  return total / queries.length;
}

/** sklearn-style `char_wb` 3-5-grams, sublinear TF, smooth IDF, L2 norm: exact, no hashing. */
function evalTfidf(records: SupportRecord[], queries: number[]): number {
  const n = records.length;
  const docs = records.map((record) => {
    const counts = new Map<string, number>();
    for (const word of words(record.body)) {
      const chars = Array.from(` ${word} `);
      for (let size = 3; size <= 5; size++) {
        for (let s = 0; s + size <= chars.length; s++) {
          const gram = chars.slice(s, s + size).join('');
          counts.set(gram, (counts.get(gram) ?? 0) + 1);
        }
      }
    }
    return counts;
  });
  const df = new Map<string, number>();
  for (const doc of docs) for (const gram of doc.keys()) df.set(gram, (df.get(gram) ?? 0) + 1);
  const postings = new Map<string, { doc: number; weight: number }[]>();
  const weighted = docs.map((doc, j) => {
    const entries = [...doc].map(
      ([gram, tf]) => [gram, (1 + Math.log(tf)) * (Math.log((1 + n) / (1 + df.get(gram)!)) + 1)] as const,
    );
    const norm = Math.sqrt(entries.reduce((s, [, w]) => s + w * w, 0)) || 1;
    const normalized = entries.map(([gram, w]) => [gram, w / norm] as const);
    for (const [gram, weight] of normalized) {
      let list = postings.get(gram);
      if (!list) postings.set(gram, (list = []));
      list.push({ doc: j, weight });
    }
    return normalized;
  });
  const labels = records.map((r) => r.intent);
  const scores = new Float64Array(n);
  let total = 0;
  for (const q of queries) {
    scores.fill(0);
    for (const [gram, weight] of weighted[q])
      for (const p of postings.get(gram)!) scores[p.doc] += weight * p.weight;
    total += precisionAtK(scores, q, labels);
  }
  return total / queries.length;
}

/** The n best indices by score, best first, skipping the query itself. */
function topIndices(scores: ArrayLike<number>, self: number, n: number): number[] {
  const best: { score: number; index: number }[] = [];
  for (let j = 0; j < scores.length; j++) {
    if (j === self) continue;
    const score = scores[j];
    if (best.length === n && score <= best[n - 1].score) continue;
    best.push({ score, index: j });
    best.sort((a, b) => b.score - a.score);
    if (best.length > n) best.pop();
  }
  return best.map((b) => b.index);
}

function precisionOf(found: number[], self: number, labels: string[]): number {
  return found.slice(0, K).filter((index) => labels[index] === labels[self]).length / K;
}

interface HybridScores {
  vector: number;
  lexical: number;
  hybrid: number;
}

/** Lexical candidates for query q (record indices, q itself excluded). */
type LexicalSearch = (q: number, k: number) => Promise<number[]>;

async function bm25Lexical(
  records: SupportRecord[],
): Promise<{ search: LexicalSearch; close(): Promise<void> }> {
  const bm25 = new Bm25Index();
  records.forEach((record, j) => bm25.upsert(String(j), record.body, payloadOf(j)));
  return {
    search: async (q, k) =>
      bm25.search(records[q].body, k, { excludeIds: [String(q)] }).map((hit) => Number(hit.id)),
    close: async () => undefined,
  };
}

async function postgresLexical(
  records: SupportRecord[],
): Promise<{ search: LexicalSearch; close(): Promise<void> }> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const { db, close } = await bareDataSource('postgres');
  await db.getRepository(CompanyEntity).save({ id: 'eval', name: 'Eval' });
  const index = new PostgresLexicalIndex(db);
  for (let start = 0; start < records.length; start += 1000) {
    const documents = records.slice(start, start + 1000).map((record, i) => ({
      id: String(start + i),
      text: record.body,
      payload: payloadOf(start + i),
    }));
    await index.upsert({ companyId: 'eval', type: 'ticket', documents });
  }
  return {
    search: async (q, k) =>
      (
        await index.search({
          companyId: 'eval',
          type: 'ticket',
          query: records[q].body,
          k,
          filter: { excludeIds: [String(q)] },
        })
      ).map((hit) => Number(hit.id)),
    close,
  };
}

async function evalHybrid(
  records: SupportRecord[],
  queries: number[],
  dimension: number,
  lexicalIndex: LexicalSearch,
): Promise<HybridScores> {
  const n = records.length;
  const candidates = K * 3;
  const vectors = records.map((record) => hashingEmbed(record.body, { dimension }));
  const labels = records.map((r) => r.intent);
  const scores = new Float32Array(n);
  const totals: HybridScores = { vector: 0, lexical: 0, hybrid: 0 };
  for (const q of queries) {
    const query = vectors[q];
    for (let j = 0; j < n; j++) {
      const v = vectors[j];
      let dot = 0;
      for (let i = 0; i < dimension; i++) dot += query[i] * v[i];
      scores[j] = dot;
    }
    const vector = topIndices(scores, q, candidates);
    const lexical = await lexicalIndex(q, candidates);
    const hybrid = reciprocalRankFusion([{ items: vector }, { items: lexical, weight: LEXICAL_WEIGHT }], {
      keyOf: String,
      limit: K,
    }).map((fused) => fused.item);
    totals.vector += precisionOf(vector, q, labels);
    totals.lexical += precisionOf(lexical, q, labels);
    totals.hybrid += precisionOf(hybrid, q, labels);
  }
  return {
    vector: totals.vector / queries.length,
    lexical: totals.lexical / queries.length,
    hybrid: totals.hybrid / queries.length,
  };
}

function payloadOf(index: number): SearchPayload {
  const at = '2024-01-01T00:00:00.000Z';
  return {
    company_id: 'eval',
    type: 'ticket',
    id: String(index),
    title: '',
    summary: '',
    tags: [],
    created_at: at,
    updated_at: at,
    content_hash: '',
  };
}

async function mainHybrid(): Promise<void> {
  const dimension = Number(process.env.EVAL_HYBRID_DIMENSION ?? 512);
  const postgres = process.argv.includes('--lexical=postgres');
  const rows: Record<string, string | number>[] = [];
  for (const dataset of DATASETS) {
    const records = await readSupportDataset(dataset.file);
    const queries = sampleIndices(records.length, QUERIES);
    console.log(`${dataset.name}: ${records.length} records, ${queries.length} leave-one-out queries`);
    const started = Date.now();
    const lexical = postgres ? await postgresLexical(records) : await bm25Lexical(records);
    const result = await evalHybrid(records, queries, dimension, lexical.search);
    await lexical.close();
    rows.push({
      dataset: dataset.name,
      [`vector p@5 (d=${dimension})`]: result.vector,
      [`lexical p@5 (${postgres ? 'postgres ts_rank_cd' : 'bm25'})`]: result.lexical,
      [`hybrid p@5 (rrf, lexical×${LEXICAL_WEIGHT})`]: result.hybrid,
      ms: Date.now() - started,
    });
  }
  printTable(rows);
}

async function main(): Promise<void> {
  if (process.argv.includes('--hybrid')) return mainHybrid();
  const rows: Record<string, string | number>[] = [];
  for (const dataset of DATASETS) {
    const records = await readSupportDataset(dataset.file);
    const queries = sampleIndices(records.length, QUERIES);
    console.log(`${dataset.name}: ${records.length} records, ${queries.length} leave-one-out queries`);
    let started = Date.now();
    if (process.env.EVAL_BASELINE !== '0') {
      rows.push({
        dataset: dataset.name,
        method: 'tf-idf char 3-5 (exact)',
        'p@5': evalTfidf(records, queries),
        ms: Date.now() - started,
      });
    }
    for (const dimension of DIMENSIONS) {
      started = Date.now();
      const precision = evalHashing(records, queries, dimension);
      rows.push({
        dataset: dataset.name,
        method: `hashing d=${dimension}`,
        'p@5': precision,
        ms: Date.now() - started,
      });
    }
  }
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * Retrieval quality of the local hashing embedder: leave-one-out precision@5 (a neighbour counts when it has
 * the same intent) over the public BANKING77 and Bitext sets, against an exact character 3-5-gram TF-IDF baseline.
 *   npm run eval:retrieval            (EVAL_QUERIES=3000 by default: a fixed-seed sample of queries per dataset;
 *                                      every record stays in the searched corpus)
 *   npm run eval:retrieval -- --hybrid [--lexical=memory|postgres|both]
 *                                     vector-only (hashing, EVAL_HYBRID_DIMENSION=512, the local default) vs
 *                                     keyword-only (BM25: in process, or the services-mode PostgreSQL index in a
 *                                     fresh schema of $DATABASE_URL, default the machine's `test` database) vs
 *                                     both fused with weighted RRF, as SearchService does it: 3 × 5 candidates
 *                                     from each list, fused, cut to 5. The fusion weight and k are chosen on a
 *                                     tuning split and reported on a disjoint held-out split (see mainHybrid).
 *   npm run eval:retrieval -- --api [--mode=embedded|services] [--hybrid=true|false]
 *                                     through the HTTP API on a held-out split (see lib/retrieval-api-eval.ts).
 */
import { hashingEmbed } from '../src/modules/llm/domain/hashing-embedding';
import { words } from '../src/modules/llm/domain/text-features';
import { CompanyEntity } from '../src/database/entities';
import { PostgresLexicalIndex } from '../src/modules/search/adapters/postgres.lexical-index.adapter';
import { Bm25Index } from '../src/modules/search/domain/bm25';
import { bareDataSource } from '../test/integration/ingest/bare-data-source';
import { reciprocalRankFusion } from '../src/modules/search/domain/rrf';
import { DEFAULT_RRF_K, DEFAULT_RRF_LEXICAL_WEIGHT } from '../src/config/search.config';
import type { SearchPayload } from '../src/modules/search/domain/search-document';
import { readSupportDataset, sampleIndices, SupportRecord } from './lib/dataset';
import { runApiRetrievalEval } from './lib/retrieval-api-eval';
import { printTable } from './lib/stats';

const K = 5;
const DIMENSIONS = (process.env.EVAL_DIMENSIONS ?? '256,384,512,1024').split(',').map(Number);
const QUERIES = Number(process.env.EVAL_QUERIES ?? 3000);
/** Candidates from each list before fusion, as SearchService asks for a limit of K. */
const CANDIDATES = K * 3;
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

/** Per query: the vector and lexical candidate lists (K × 3 each, as SearchService asks for). */
interface QueryLists {
  q: number;
  vector: number[];
  lexical: number[];
}

function vectorLists(records: SupportRecord[], queries: number[], dimension: number): Map<number, number[]> {
  const n = records.length;
  const vectors = records.map((record) => hashingEmbed(record.body, { dimension }));
  const scores = new Float32Array(n);
  const out = new Map<number, number[]>();
  for (const q of queries) {
    const query = vectors[q];
    for (let j = 0; j < n; j++) {
      const v = vectors[j];
      let dot = 0;
      for (let i = 0; i < dimension; i++) dot += query[i] * v[i];
      scores[j] = dot;
    }
    out.set(q, topIndices(scores, q, CANDIDATES));
  }
  return out;
}

interface FusionSetting {
  weight: number;
  k: number;
}

function fusedPrecision(lists: QueryLists[], labels: string[], setting: FusionSetting): number {
  let total = 0;
  for (const { q, vector, lexical } of lists) {
    const fused = reciprocalRankFusion([{ items: vector }, { items: lexical, weight: setting.weight }], {
      keyOf: String,
      k: setting.k,
      limit: K,
    }).map((item) => item.item);
    total += precisionOf(fused, q, labels);
  }
  return total / lists.length;
}

function listPrecision(lists: QueryLists[], labels: string[], pick: (l: QueryLists) => number[]): number {
  return lists.reduce((sum, l) => sum + precisionOf(pick(l), l.q, labels), 0) / lists.length;
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

const WEIGHTS = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2];
const RRF_KS = [5, 20, 60, 120];

interface Run {
  dataset: string;
  backend: string;
  labels: string[];
  tuning: QueryLists[];
  heldOut: QueryLists[];
  buildMs: number;
  queryMs: number;
}

/**
 * Tuning and held-out splits are disjoint fixed-seed samples of EVAL_QUERIES queries each. The fusion grid
 * (lexical weight × RRF k) is scored on the tuning split only, and one pick (best mean p@5 over datasets and
 * backends) is carried to the held-out split, which reports vector, keyword and hybrid at that pick and at the
 * configured defaults (search.config): held-out numbers are never tuned on themselves.
 */
async function mainHybrid(): Promise<void> {
  const dimension = Number(process.env.EVAL_HYBRID_DIMENSION ?? 512);
  const lexicalArg =
    process.argv.find((a) => a.startsWith('--lexical='))?.slice('--lexical='.length) ?? 'memory';
  const backends = lexicalArg === 'both' ? ['memory', 'postgres'] : [lexicalArg];
  for (const backend of backends) {
    if (backend !== 'memory' && backend !== 'postgres') {
      throw new Error(`--lexical=${backend}: expected memory, postgres or both`);
    }
  }
  const runs: Run[] = [];
  for (const dataset of DATASETS) {
    const records = await readSupportDataset(dataset.file);
    const tuning = sampleIndices(records.length, QUERIES, 7);
    const tuningSet = new Set(tuning);
    const heldOut = sampleIndices(records.length, Math.min(records.length, QUERIES * 2 + 1), 42)
      .filter((q) => !tuningSet.has(q))
      .slice(0, QUERIES);
    console.log(
      `${dataset.name}: ${records.length} records, ${tuning.length} tuning + ${heldOut.length} held-out queries`,
    );
    const labels = records.map((r) => r.intent);
    const vectors = vectorLists(records, [...tuning, ...heldOut], dimension);
    for (const backend of backends) {
      const buildStarted = Date.now();
      const lexical = backend === 'postgres' ? await postgresLexical(records) : await bm25Lexical(records);
      const buildMs = Date.now() - buildStarted;
      const queryStarted = Date.now();
      const collect = async (queries: number[]): Promise<QueryLists[]> => {
        const out: QueryLists[] = [];
        for (const q of queries) {
          out.push({ q, vector: vectors.get(q)!, lexical: await lexical.search(q, CANDIDATES) });
        }
        return out;
      };
      const tuningLists = await collect(tuning);
      const heldOutLists = await collect(heldOut);
      const queryMs = (Date.now() - queryStarted) / (tuning.length + heldOut.length);
      await lexical.close();
      runs.push({
        dataset: dataset.name,
        backend,
        labels,
        tuning: tuningLists,
        heldOut: heldOutLists,
        buildMs,
        queryMs,
      });
    }
  }

  const grid: Array<FusionSetting & { mean: number; worstGain: number }> = [];
  for (const weight of WEIGHTS) {
    for (const k of RRF_KS) {
      const gains = runs.map(
        (run) =>
          fusedPrecision(run.tuning, run.labels, { weight, k }) -
          listPrecision(run.tuning, run.labels, (l) => l.vector),
      );
      const mean =
        runs.reduce((sum, run) => sum + fusedPrecision(run.tuning, run.labels, { weight, k }), 0) /
        runs.length;
      grid.push({ weight, k, mean, worstGain: Math.min(...gains) });
    }
  }
  grid.sort((a, b) => b.mean - a.mean || b.worstGain - a.worstGain);
  const pick = grid[0];
  console.log('\nTuning split: the five best fusion settings (mean hybrid p@5; worst gain over vector-only)');
  printTable(
    grid.slice(0, 5).map((g) => ({
      'lexical weight': g.weight,
      'rrf k': g.k,
      'mean hybrid p@5': g.mean,
      'worst gain vs vector': Number(g.worstGain.toFixed(4)),
    })),
  );
  const safest = [...grid].sort((a, b) => b.worstGain - a.worstGain || b.mean - a.mean)[0];
  console.log(
    `safest setting (best worst-case gain over vector-only): w=${safest.weight} k=${safest.k}, ` +
      `worst gain ${safest.worstGain.toFixed(4)}, mean p@5 ${safest.mean.toFixed(4)}`,
  );
  const defaults: FusionSetting = { weight: DEFAULT_RRF_LEXICAL_WEIGHT, k: DEFAULT_RRF_K };
  console.log(
    `\nHeld-out split (other queries): pick w=${pick.weight} k=${pick.k}; defaults w=${defaults.weight} k=${defaults.k}`,
  );
  printTable(
    runs.map((run) => ({
      dataset: run.dataset,
      lexical: `${run.backend} bm25`,
      [`vector p@5 (d=${dimension})`]: listPrecision(run.heldOut, run.labels, (l) => l.vector),
      'keyword p@5': listPrecision(run.heldOut, run.labels, (l) => l.lexical),
      'hybrid p@5 (pick)': fusedPrecision(run.heldOut, run.labels, pick),
      'hybrid p@5 (defaults)': fusedPrecision(run.heldOut, run.labels, defaults),
      'index build ms': run.buildMs,
      'keyword query ms': Number(run.queryMs.toFixed(2)),
    })),
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--api')) return runApiRetrievalEval(process.argv);
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

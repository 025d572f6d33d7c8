import { AppConfig } from '../../src/config/config';
import { hashingEmbed } from '../../src/modules/llm/domain/hashing-embedding';
import { words } from '../../src/modules/llm/domain/text-features';
import { readSupportDataset } from './dataset';
import { EvalMode, heldOutSplit, ingestTickets, recordAsTicket, startEvalApp } from './eval-app';
import { printTable } from './stats';

const K = 5;
const DATASETS = [
  { name: 'BANKING77', file: 'banking77_en.jsonl.gz' },
  { name: 'Bitext', file: 'bitext_customer_support_en.jsonl.gz' },
];

/** The k best corpus indices for a query text. */
type Ranker = (text: string, k: number) => number[];

function topOf(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .filter((i) => scores[i] > 0)
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, k);
}

/** sklearn-style `char_wb` 3-5-grams, sublinear TF, smooth IDF, L2 norm, exact (the eval's baseline). */
function tfidfRanker(corpus: string[]): Ranker {
  const grams = (text: string) => {
    const counts = new Map<string, number>();
    for (const word of words(text)) {
      const chars = Array.from(` ${word} `);
      for (let size = 3; size <= 5; size++)
        for (let s = 0; s + size <= chars.length; s++) {
          const gram = chars.slice(s, s + size).join('');
          counts.set(gram, (counts.get(gram) ?? 0) + 1);
        }
    }
    return counts;
  };
  const n = corpus.length;
  const docs = corpus.map(grams);
  const df = new Map<string, number>();
  for (const doc of docs) for (const gram of doc.keys()) df.set(gram, (df.get(gram) ?? 0) + 1);
  const idf = (gram: string) => Math.log((1 + n) / (1 + (df.get(gram) ?? 0))) + 1;
  const weigh = (counts: Map<string, number>) => {
    const entries = [...counts].map(([gram, tf]) => [gram, (1 + Math.log(tf)) * idf(gram)] as const);
    const norm = Math.sqrt(entries.reduce((s, [, w]) => s + w * w, 0)) || 1;
    return entries.map(([gram, w]) => [gram, w / norm] as const);
  };
  const postings = new Map<string, { doc: number; weight: number }[]>();
  docs.forEach((doc, j) => {
    for (const [gram, weight] of weigh(doc)) {
      let list = postings.get(gram);
      if (!list) postings.set(gram, (list = []));
      list.push({ doc: j, weight });
    }
  });
  return (text, k) => {
    const scores = new Float64Array(n);
    for (const [gram, weight] of weigh(grams(text)))
      for (const p of postings.get(gram) ?? []) scores[p.doc] += weight * p.weight;
    return topOf(scores, k);
  };
}

/** The local hashing embedder over the raw messages, exact cosine: the in-process evaluation's setting. */
function hashingRanker(corpus: string[], dimension: number): Ranker {
  const vectors = corpus.map((text) => hashingEmbed(text, { dimension }));
  return (text, k) => {
    const query = hashingEmbed(text, { dimension });
    const scores = vectors.map((v) => {
      let dot = 0;
      for (let i = 0; i < dimension; i++) dot += query[i] * v[i];
      return dot;
    });
    return topOf(scores, k);
  };
}

function precision(found: string[], intentOf: Map<string, string>, intent: string): number {
  return found.slice(0, K).filter((id) => intentOf.get(id) === intent).length / K;
}

/**
 * Retrieval as a client meets it: a stratified 10% of each dataset is held out as queries, the other 90% go in
 * as tickets through PUT /tickets and POST /ingest, and every held-out message is asked through POST /search
 * (tickets, limit 5). Precision@5 counts results with the query's intent. The same split is scored in process
 * with the exact TF-IDF baseline and the hashing embedder over the raw messages, so the gap is the API path's.
 *   npm run eval:retrieval -- --api [--mode=embedded|services] [--hybrid=true|false]
 *   EVAL_API_QUERIES caps the queries per dataset (default: every held-out message).
 */
export async function runApiRetrievalEval(argv: string[]): Promise<void> {
  const mode = (argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length) ?? 'embedded') as EvalMode;
  if (mode !== 'embedded' && mode !== 'services')
    throw new Error(`--mode=${String(mode)}: embedded|services`);
  const hybrid = argv.find((a) => a.startsWith('--hybrid='))?.slice('--hybrid='.length);
  const cap = Number(process.env.EVAL_API_QUERIES ?? Number.POSITIVE_INFINITY);
  const env: Record<string, string> = { ASSIST_PREFETCH_ENABLED: 'false' };
  if (hybrid !== undefined) env.SEARCH_HYBRID = hybrid;
  const client = await startEvalApp(mode, env);
  const config = client.app.get(AppConfig);
  const rows: Record<string, string | number>[] = [];
  try {
    for (const dataset of DATASETS) {
      const records = await readSupportDataset(dataset.file);
      const { corpus, queries: held } = heldOutSplit(records, 0.1);
      const queries = held.slice(0, cap);
      const intentOf = new Map(records.map((r) => [r.id, r.intent]));
      const companyId = `eval-${dataset.name.toLowerCase()}`;
      const key = await client.createCompany(companyId);
      const started = Date.now();
      await ingestTickets(
        client,
        key,
        corpus.map((r, i) => recordAsTicket(r, i)),
      );
      const ingestS = (Date.now() - started) / 1000;
      let api = 0;
      let scoreSum = 0;
      const queryStarted = Date.now();
      for (const query of queries) {
        const res = await client.call({
          method: 'POST',
          path: '/api/v1/search',
          key,
          body: { query: query.body, data_types: ['tickets'], limit: K },
        });
        if (res.status !== 200) throw new Error(`POST search: ${res.status} ${JSON.stringify(res.body)}`);
        const results = res.body.results as Array<{ id: string; score: number }>;
        api += precision(
          results.map((r) => r.id),
          intentOf,
          query.intent,
        );
        scoreSum += results[0]?.score ?? 0;
      }
      const queryMs = (Date.now() - queryStarted) / queries.length;
      const texts = corpus.map((r) => r.body);
      const ids = corpus.map((r) => r.id);
      const inProcess = (ranker: Ranker) =>
        queries.reduce(
          (sum, q) =>
            sum +
            precision(
              ranker(q.body, K).map((i) => ids[i]),
              intentOf,
              q.intent,
            ),
          0,
        ) / queries.length;
      rows.push({
        dataset: dataset.name,
        corpus: corpus.length,
        queries: queries.length,
        'API p@5': api / queries.length,
        'tf-idf char 3-5 p@5': inProcess(tfidfRanker(texts)),
        [`hashing d=${config.llm.localEmbeddingDimension} p@5`]: inProcess(
          hashingRanker(texts, config.llm.localEmbeddingDimension),
        ),
        'mean top score': Number((scoreSum / queries.length).toFixed(4)),
        'ingest s': Number(ingestS.toFixed(1)),
        'search ms': Number(queryMs.toFixed(1)),
      });
      console.log(`${dataset.name}: done (${mode}, hybrid ${config.search.hybrid})`);
    }
  } finally {
    await client.close();
  }
  printTable(rows);
}

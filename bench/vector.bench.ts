/**
 * Embedded vector index benchmark: build time, search latency (p50/p99), recall@10 against exact search and
 * memory, at 10k and 100k vectors of dimension 384.
 *
 *   npm run bench:vector                          # text data at 10k and 100k, uniform random at 10k
 *   npm run bench:vector -- --quick               # text data at 10k
 *   npm run bench:vector -- --sizes=100000 --ef=64,128,256 --data=text,uniform --json out.json
 *
 * Data `text` (the target's data): generated helpdesk tickets (English and Korean, ~16 topic clusters,
 * src/cli/generate) embedded by the local hashing embedder at d=384, the vectors ingest stores; queries are
 * embeddings of other generated tickets (a different seed). Data `uniform`: random unit vectors with queries
 * near stored ones, a worst case no text produces (all similarities ≈ 0, no neighbourhood structure), kept
 * for reference. Truth: an exact scan; a returned id counts when its exact similarity reaches the 10th best
 * (near-identical generated tickets tie). HNSW settings come from the config (HNSW_M, HNSW_EF_CONSTRUCTION,
 * HNSW_EF_SEARCH); --ef sweeps efSearch.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/config';
import { EmbeddedVectorIndex } from '../src/modules/search/adapters/embedded.vector-index.adapter';
import { SearchPayload } from '../src/modules/search/domain/search-document';
import { generateTickets } from '../src/cli/generate/support-data.generator';
import { hashingEmbed } from '../src/modules/llm/domain/hashing-embedding';
import { embeddingText } from '../src/modules/ingest/domain/index-documents';
import { BenchRow, emitResult, info, parseBenchArgs, round, verdict } from './lib/bench-output';
import { dotAt, normalized, TopK } from '../src/modules/search/domain/vector-math';

const DIMENSION = 384;
const K = 10;

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
}

function randomUnit(random: () => number): Float32Array {
  return normalized(Array.from({ length: DIMENSION }, () => gaussian(random)));
}

/** A unit vector near `center`: noise of the given total length, spread over all dimensions. */
function around(center: Float32Array, noise: number, random: () => number): Float32Array {
  const sigma = noise / Math.sqrt(DIMENSION);
  return normalized(Array.from(center, (v) => v + gaussian(random) * sigma));
}

type DataKind = 'text' | 'uniform';

/** What ingest embeds for a ticket: subject, then the description (no summary here: it is derived from both). */
function ticketVector(ticket: {
  subject: string;
  description?: string;
  conversations?: Array<{ body: string }>;
}): Float32Array {
  const body = [ticket.description ?? '', ...(ticket.conversations ?? []).map((m) => m.body)].join('\n');
  return hashingEmbed(embeddingText({ title: ticket.subject, summary: '', body }), { dimension: DIMENSION });
}

function dataset(kind: DataKind, n: number, random: () => number): Float32Array[] {
  if (kind === 'uniform') return Array.from({ length: n }, () => randomUnit(random));
  return Array.from(generateTickets(n, { seed: 1 }), ticketVector);
}

function queriesFor(
  kind: DataKind,
  count: number,
  stored: Float32Array[],
  random: () => number,
): Float32Array[] {
  if (kind === 'uniform')
    return Array.from({ length: count }, () =>
      around(stored[Math.floor(random() * stored.length)], 0.6, random),
    );
  // New tickets (another seed) asking about the same topics, as a "similar tickets" lookup would.
  return Array.from(generateTickets(count, { seed: 99 }), ticketVector);
}

function payload(id: string, i: number): SearchPayload {
  return {
    company_id: 'bench',
    type: 'ticket',
    id,
    title: `ticket ${i}`,
    summary: '',
    status: ['open', 'pending', 'resolved', 'closed'][i % 4],
    priority: 'medium',
    tags: [`tag-${i % 20}`],
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    content_hash: String(i),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const sizes = arg('sizes', args.quick ? '10000' : '10000,100000')
    .split(',')
    .map(Number);
  const kinds = arg('data', args.quick ? 'text' : 'text,uniform').split(',') as DataKind[];
  const uniformMax = Number(arg('uniform-max', '10000'));
  const queryCount = Number(arg('queries', args.quick ? '200' : '500'));
  const efs = arg('ef', '').split(',').filter(Boolean).map(Number);
  const config = loadConfig({});
  const { m, efConstruction, efSearch } = config.search.hnsw;
  console.log(
    `dimension ${DIMENSION}, k ${K}, HNSW M=${m} efConstruction=${efConstruction} efSearch=${efSearch}, ` +
      `exact search up to ${config.search.exactSearchMax} points, node ${process.version}`,
  );
  const rows: BenchRow[] = [];
  const sweep: Array<Record<string, number | string>> = [];

  for (const kind of kinds) {
    for (const n of sizes) {
      if (kind === 'uniform' && n > uniformMax) continue;
      const random = rng(n);
      const embedStarted = performance.now();
      const vectors = dataset(kind, n, random);
      const queries = queriesFor(kind, queryCount, vectors, random);
      const embedS = (performance.now() - embedStarted) / 1000;
      const flat = new Float32Array(n * DIMENSION);
      vectors.forEach((v, i) => flat.set(v, i * DIMENSION));
      // Exact top-10 per query; the 10th score is the bar a returned id must reach (ties count as correct).
      const exactTimes: number[] = [];
      const kth = queries.map((query) => {
        const started = process.hrtime.bigint();
        const top = new TopK(K);
        for (let i = 0; i < n; i++) {
          const s = dotAt(query, flat, i * DIMENSION);
          if (s >= top.threshold) top.offer(i, s);
        }
        const sorted = top.sorted();
        exactTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
        return sorted[sorted.length - 1].score;
      });
      exactTimes.sort((a, b) => a - b);

      global.gc?.();
      const before = process.memoryUsage();
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-vector-'));
      const runConfig = loadConfig({ DATA_DIR: dataDir, VECTOR_PERSIST_DEBOUNCE_MS: '600000' });
      const index = new EmbeddedVectorIndex(runConfig);
      await index.onModuleInit();
      await index.ensureCollection({ companyId: 'bench', type: 'ticket', dimension: DIMENSION });
      const buildStarted = performance.now();
      for (let start = 0; start < n; start += 1000) {
        const points = vectors.slice(start, start + 1000).map((vector, j) => {
          const i = start + j;
          return { id: `t${i}`, vector, payload: payload(`t${i}`, i) };
        });
        await index.upsert({ companyId: 'bench', type: 'ticket', points });
      }
      const buildS = (performance.now() - buildStarted) / 1000;
      global.gc?.();
      const after = process.memoryUsage();
      const memoryMb = (after.rss - before.rss) / 1024 / 1024;

      const measure = async () => {
        const times: number[] = [];
        let found = 0;
        for (let q = 0; q < queries.length; q++) {
          const started = process.hrtime.bigint();
          const hits = await index.search({ companyId: 'bench', type: 'ticket', vector: queries[q], k: K });
          times.push(Number(process.hrtime.bigint() - started) / 1e6);
          const bar = kth[q] - 1e-6;
          found += hits.filter(
            (h) => dotAt(queries[q], flat, Number(h.id.slice(1)) * DIMENSION) >= bar,
          ).length;
        }
        times.sort((a, b) => a - b);
        return {
          p50: percentile(times, 50),
          p99: percentile(times, 99),
          recall: found / (queries.length * K),
        };
      };

      console.log(`\n== ${kind} data, ${n.toLocaleString('en')} vectors ==`);
      console.log(
        `embed ${embedS.toFixed(1)} s, build (upsert in batches of 1000, incl. HNSW) ${buildS.toFixed(1)} s, memory rss +${mb(after.rss - before.rss)}, heap +${mb(after.heapUsed - before.heapUsed)}`,
      );
      console.log(
        `exact scan: p50 ${percentile(exactTimes, 50).toFixed(2)} ms, p99 ${percentile(exactTimes, 99).toFixed(2)} ms`,
      );
      let configured: { p50: number; p99: number; recall: number } | undefined;
      for (const ef of efs.length > 0 ? [...new Set([...efs, efSearch])] : [efSearch]) {
        // Partitions read efSearch from the shared settings object at query time.
        runConfig.search.hnsw.efSearch = ef;
        await measure(); // warm-up
        const result = await measure();
        if (ef === efSearch) configured = result;
        sweep.push({
          data: kind,
          n,
          ef,
          recall: round(result.recall),
          p50_ms: round(result.p50),
          p99_ms: round(result.p99),
        });
        console.log(
          `search k=${K} efSearch=${ef}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, recall@10 ${result.recall.toFixed(3)}`,
        );
      }
      runConfig.search.hnsw.efSearch = efSearch;
      const filtered: number[] = [];
      for (const query of queries.slice(0, 100)) {
        const started = process.hrtime.bigint();
        await index.search({
          companyId: 'bench',
          type: 'ticket',
          vector: query,
          k: K,
          filter: { status: ['open'] },
        });
        filtered.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      filtered.sort((a, b) => a - b);
      console.log(
        `search with status filter (25% match): p50 ${percentile(filtered, 50).toFixed(2)} ms, p99 ${percentile(filtered, 99).toFixed(2)} ms`,
      );

      const flushStarted = performance.now();
      await index.onModuleDestroy();
      const flushS = (performance.now() - flushStarted) / 1000;
      const loadStarted = performance.now();
      const reloaded = new EmbeddedVectorIndex(runConfig);
      await reloaded.onModuleInit();
      const reloadS = (performance.now() - loadStarted) / 1000;
      console.log(`persist: ${flushS.toFixed(2)} s, reload at start: ${reloadS.toFixed(2)} s`);
      await fs.rm(dataDir, { recursive: true, force: true });

      const label = `${kind} ${n >= 1000 ? `${n / 1000}k` : n}`;
      const c = configured!;
      const targeted = kind === 'text' && n >= 100_000;
      rows.push(
        targeted
          ? verdict({
              name: `${label} recall@10 (efSearch ${efSearch})`,
              target: '≥ 0.95',
              value: c.recall,
              unit: 'recall',
              pass: c.recall >= 0.95,
            })
          : info({ name: `${label} recall@10 (efSearch ${efSearch})`, value: c.recall, unit: 'recall' }),
        targeted
          ? verdict({
              name: `${label} search p50`,
              target: '≤ 5 ms',
              value: c.p50,
              unit: 'ms',
              pass: c.p50 <= 5,
            })
          : info({ name: `${label} search p50`, value: c.p50, unit: 'ms' }),
        info({ name: `${label} search p99`, value: c.p99, unit: 'ms' }),
        info({ name: `${label} filtered search p50`, value: percentile(filtered, 50), unit: 'ms' }),
        info({ name: `${label} exact scan p50`, value: percentile(exactTimes, 50), unit: 'ms' }),
        info({ name: `${label} build`, value: buildS, unit: 's' }),
        info({ name: `${label} memory (rss delta)`, value: memoryMb, unit: 'MB' }),
        info({ name: `${label} reload at start`, value: reloadS, unit: 's' }),
      );
    }
  }
  emitResult(
    {
      part: 'vector',
      rows,
      series: { ef_sweep: sweep },
      notes: [
        `HNSW M=${m} efConstruction=${efConstruction} efSearch=${efSearch}, dimension ${DIMENSION}, k ${K}`,
      ],
    },
    args,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

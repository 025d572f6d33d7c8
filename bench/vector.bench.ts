/**
 * Embedded vector index benchmark: build time, search latency (p50/p99), recall@10 against exact search
 * and memory, at 10k and 100k vectors of dimension 384.
 *
 *   npm run bench:vector                      # 10k and 100k with the configured defaults
 *   npm run bench:vector -- --sizes=10000 --ef=32,64,128 --queries=300
 *
 * Data: 70% random unit vectors, 30% around 300 cluster centres (embeddings of similar tickets cluster).
 * Queries: noisy copies of stored vectors, half from random ones, half from clustered ones, with recall
 * reported for each half; the truth is an exact scan over the same stored vectors. Uniform random 384-d
 * vectors have no neighbourhood structure (all similarities ≈ 0), so graph indexes recall them poorly:
 * the clustered half is the one that resembles real embeddings.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/config';
import { EmbeddedVectorIndex } from '../src/modules/search/adapters/embedded.vector-index.adapter';
import { SearchPayload } from '../src/modules/search/domain/search-document';
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

function dataset(n: number, random: () => number): Float32Array[] {
  const centres = Array.from({ length: 300 }, () => randomUnit(random));
  return Array.from({ length: n }, (_, i) =>
    i % 10 < 7 ? randomUnit(random) : around(centres[i % centres.length], 0.8, random),
  );
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
  const sizes = arg('sizes', '10000,100000').split(',').map(Number);
  const queryCount = Number(arg('queries', '500'));
  const efs = arg('ef', '').split(',').filter(Boolean).map(Number);
  const config = loadConfig({});
  console.log(
    `dimension ${DIMENSION}, k ${K}, HNSW M=${config.search.hnsw.m} efConstruction=${config.search.hnsw.efConstruction} ` +
      `efSearch=${config.search.hnsw.efSearch}, exact search up to ${config.search.exactSearchMax} points, node ${process.version}`,
  );

  for (const n of sizes) {
    const random = rng(n);
    const vectors = dataset(n, random);
    // Even queries start from a random (unstructured) stored vector, odd ones from a clustered one.
    const sourceOf = (q: number) => {
      const base = Math.floor(random() * (n / 10)) * 10;
      return q % 2 === 0 ? base + Math.floor(random() * 7) : base + 7 + Math.floor(random() * 3);
    };
    const queries = Array.from({ length: queryCount }, (_, q) => around(vectors[sourceOf(q)], 0.6, random));
    const flat = new Float32Array(n * DIMENSION);
    vectors.forEach((v, i) => flat.set(v, i * DIMENSION));
    const truth = queries.map((query) => {
      const top = new TopK(K);
      for (let i = 0; i < n; i++) top.offer(i, dotAt(query, flat, i * DIMENSION));
      return new Set(top.sorted().map((t) => `t${t.label}`));
    });

    // Exact-scan latency at this size (what the exact path would cost without HNSW).
    const exactTimes = queries.slice(0, 50).map((query) => {
      const started = process.hrtime.bigint();
      const top = new TopK(K);
      for (let i = 0; i < n; i++) {
        const s = dotAt(query, flat, i * DIMENSION);
        if (s >= top.threshold) top.offer(i, s);
      }
      top.sorted();
      return Number(process.hrtime.bigint() - started) / 1e6;
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
    const buildMs = performance.now() - buildStarted;
    global.gc?.();
    const after = process.memoryUsage();

    const measure = async () => {
      const times: number[] = [];
      const found = [0, 0];
      for (let q = 0; q < queries.length; q++) {
        const started = process.hrtime.bigint();
        const hits = await index.search({ companyId: 'bench', type: 'ticket', vector: queries[q], k: K });
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        found[q % 2] += hits.filter((h) => truth[q].has(h.id)).length;
      }
      times.sort((a, b) => a - b);
      const half = (queries.length / 2) * K;
      return {
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        recall: (found[0] + found[1]) / (queries.length * K),
        recallRandom: found[0] / half,
        recallClustered: found[1] / half,
      };
    };

    console.log(`\n== ${n.toLocaleString('en')} vectors ==`);
    console.log(`build (upsert in batches of 1000, incl. HNSW): ${(buildMs / 1000).toFixed(1)} s`);
    console.log(
      `memory delta: rss +${mb(after.rss - before.rss)}, heap +${mb(after.heapUsed - before.heapUsed)}, ` +
        `external+arrayBuffers +${mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers)}`,
    );
    console.log(
      `exact scan: p50 ${percentile(exactTimes, 50).toFixed(2)} ms, p99 ${percentile(exactTimes, 99).toFixed(2)} ms`,
    );
    for (const ef of efs.length > 0 ? efs : [runConfig.search.hnsw.efSearch]) {
      // Partitions read efSearch from the shared settings object at query time.
      runConfig.search.hnsw.efSearch = ef;
      await measure(); // warm-up
      const { p50, p99, recall, recallRandom, recallClustered } = await measure();
      console.log(
        `search k=${K} efSearch=${ef}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, recall@10 ${recall.toFixed(3)} ` +
          `(near clustered points ${recallClustered.toFixed(3)}, near random points ${recallRandom.toFixed(3)})`,
      );
    }
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
    const flushMs = performance.now() - flushStarted;
    const loadStarted = performance.now();
    const reloaded = new EmbeddedVectorIndex(runConfig);
    await reloaded.onModuleInit();
    console.log(
      `persist: ${(flushMs / 1000).toFixed(2)} s, reload at start: ${((performance.now() - loadStarted) / 1000).toFixed(2)} s`,
    );
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import type { SearchPayload } from '../../domain/search-document';
import { PartitionPoint, VectorPartition } from './vector-partition';

const DIMENSION = 64;

function points(count: number, offset = 0): PartitionPoint[] {
  return Array.from({ length: count }, (_, k) => {
    const i = offset + k;
    const vector = new Float32Array(DIMENSION);
    // A small deterministic generator per point: distinct, well spread vectors.
    let state = (i + 1) * 2654435761;
    for (let d = 0; d < DIMENSION; d++) {
      state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5;
      vector[d] = ((state >>> 0) / 2 ** 32) * 2 - 1;
    }
    const norm = Math.hypot(...vector);
    for (let d = 0; d < DIMENSION; d++) vector[d] /= norm;
    const payload = {
      company_id: 'acme',
      type: 'ticket',
      id: `t-${i}`,
      tags: [],
    } as unknown as SearchPayload;
    return { id: `t-${i}`, vector, payload };
  });
}

/** Counts event-loop turns (setImmediate callbacks) while `work` runs. */
async function turnsDuring(work: Promise<void>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work;
  running = false;
  return turns;
}

describe('VectorPartition keeps the event loop turning', () => {
  const partition = () =>
    new VectorPartition({
      dimension: DIMENSION,
      hnsw: { m: 16, efConstruction: 200, efSearch: 50 },
      exactSearchMax: 100,
    });

  it('builds its graph in slices and finds every point after', async () => {
    const p = partition();
    p.upsert(points(3_000));
    expect(p.needsGraph).toBe(true);
    const turns = await turnsDuring(p.buildGraph());
    expect(p.hasGraph).toBe(true);
    expect(turns).toBeGreaterThan(1);
    expect(p.search(points(1, 1234)[0].vector, 1)[0].id).toBe('t-1234');
  });

  it('inserts a chunk into an existing graph in slices, every point searchable', async () => {
    const p = partition();
    p.upsert(points(200));
    await p.buildGraph();
    const turns = await turnsDuring(p.upsertSliced(points(2_000, 200)));
    expect(turns).toBeGreaterThan(1);
    expect(p.size).toBe(2_200);
    expect(p.search(points(1, 1999)[0].vector, 1)[0].id).toBe('t-1999');
  });
});

describe('VectorPartition is deterministic on unchanged data', () => {
  it('gives the same results after the same points are upserted again (a forced re-index)', async () => {
    // A small ef and degree make the graph's approximation visible; only a data change may move results.
    const p = new VectorPartition({
      dimension: DIMENSION,
      hnsw: { m: 4, efConstruction: 8, efSearch: 4 },
      exactSearchMax: 10,
    });
    const all = points(1_500);
    p.upsert(all);
    await p.buildGraph();
    const queries = points(40, 5_000).map((q) => q.vector);
    const results = () => queries.map((q) => p.search(q, 5).map((hit) => hit.id));
    const before = results();
    p.upsert([...all].reverse());
    expect(results()).toEqual(before);
  });
});

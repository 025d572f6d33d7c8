import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../src/config/config';
import { EmbeddedVectorIndex } from '../../../src/modules/search/adapters/embedded.vector-index.adapter';
import { axis, blend, pointOf, runVectorIndexContract } from '../../contract/vector-index.contract';

async function tempDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'vector-index-'));
}

function embeddedIndex(dataDir: string, env: Record<string, string> = {}): EmbeddedVectorIndex {
  return new EmbeddedVectorIndex(loadConfig({ DATA_DIR: dataDir, ...env }));
}

runVectorIndexContract('embedded (exact search)', async () => {
  const dataDir = await tempDataDir();
  const index = embeddedIndex(dataDir);
  await index.onModuleInit();
  return {
    index,
    afterSwitch: async (old) => {
      await expect(fs.stat(path.join(dataDir, 'vectors', old))).rejects.toThrow(/ENOENT/);
      // A fresh process on the same folder reads from the switched-to collection.
      await index.flush();
      const reopened = embeddedIndex(dataDir);
      await reopened.onModuleInit();
      await expect(reopened.activeCollection('ticket')).resolves.toMatchObject({
        embedder: { model: 'embed-b', dimension: 4 },
      });
      await expect(reopened.count({ companyId: 'acme', type: 'ticket' })).resolves.toBe(4);
    },
    dispose: async () => {
      await index.onModuleDestroy();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
});

// A tiny exact-search threshold sends every query of the larger cases through HNSW.
runVectorIndexContract('embedded (HNSW above 2 points)', async () => {
  const dataDir = await tempDataDir();
  const index = embeddedIndex(dataDir, { VECTOR_EXACT_SEARCH_MAX: '2' });
  await index.onModuleInit();
  return {
    index,
    dispose: async () => {
      await index.onModuleDestroy();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedVectorIndex persistence', () => {
  let dataDir: string;
  const acme = 'acme';

  beforeEach(async () => {
    dataDir = await tempDataDir();
  });

  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function seeded(env: Record<string, string> = {}): Promise<EmbeddedVectorIndex> {
    const index = embeddedIndex(dataDir, env);
    await index.onModuleInit();
    await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: 8 });
    const points = Array.from({ length: 40 }, (_, i) =>
      pointOf(acme, `t${i}`, blend(i % 8, (i + 3) % 8, 0.55 + (i % 7) / 20), { tags: [`tag-${i % 3}`] }),
    );
    await index.upsert({ companyId: acme, type: 'ticket', points });
    await index.delete({ companyId: acme, type: 'ticket', ids: ['t5'] });
    return index;
  }

  it('writes nothing until the debounce fires, then everything on shutdown', async () => {
    const index = await seeded({ VECTOR_PERSIST_DEBOUNCE_MS: '60000' });
    const before = await fs.readdir(path.join(dataDir, 'vectors', 'tickets'));
    expect(before).toEqual(['collection.meta.json']);
    await index.onModuleDestroy();
    const after = (await fs.readdir(path.join(dataDir, 'vectors', 'tickets'))).sort();
    expect(after).toEqual(['acme.1.f32', 'acme.json', 'collection.meta.json']);
  });

  it.each([
    ['exact', {}],
    ['HNSW', { VECTOR_EXACT_SEARCH_MAX: '10' }],
  ])('reloads the same points, payloads, deletions and results at start (%s)', async (_name, env) => {
    const first = await seeded(env);
    const query = { companyId: acme, type: 'ticket' as const, vector: blend(2, 5, 0.7), k: 10 };
    const expected = await first.search(query);
    await first.onModuleDestroy();

    const second = embeddedIndex(dataDir, env);
    await second.onModuleInit();
    await expect(second.count({ companyId: acme, type: 'ticket' })).resolves.toBe(39);
    await expect(second.search(query)).resolves.toEqual(expected);
    await expect(second.search({ ...query, filter: { excludeIds: [] } })).resolves.toEqual(expected);
    await expect(
      second.count({ companyId: acme, type: 'ticket', filter: { tags: ['tag-1'] } }),
    ).resolves.toBe(13);
    // A deleted id stays deleted, and its slot is reused cleanly by the next new id.
    expect((await second.search({ ...query, k: 50 })).map((h) => h.id)).not.toContain('t5');
    await second.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 'new', axis(6))] });
    const top = await second.search({ ...query, vector: axis(6), k: 1 });
    expect(top[0].id).toBe('new');
    await second.onModuleDestroy();
  });

  it('keeps the last committed generation when a save is interrupted', async () => {
    const first = await seeded();
    await first.onModuleDestroy();
    const directory = path.join(dataDir, 'vectors', 'tickets');
    // A crash mid-save leaves temp files and a next-generation data file without a manifest pointing at it.
    await fs.writeFile(path.join(directory, 'acme.2.f32'), 'torn');
    await fs.writeFile(path.join(directory, 'acme.json.123.abcd.tmp'), '{"torn":');

    const second = embeddedIndex(dataDir);
    await second.onModuleInit();
    await expect(second.count({ companyId: acme, type: 'ticket' })).resolves.toBe(39);
    await second.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 'x', axis(1))] });
    await second.onModuleDestroy();
    const files = (await fs.readdir(directory)).filter((f) => f.startsWith('acme.'));
    expect(files.sort()).toEqual(['acme.2.f32', 'acme.json']);

    const third = embeddedIndex(dataDir);
    await third.onModuleInit();
    await expect(third.count({ companyId: acme, type: 'ticket' })).resolves.toBe(40);
  });

  it('rejects unsafe company ids before touching the file system', async () => {
    const index = embeddedIndex(dataDir);
    await expect(
      index.ensureCollection({ companyId: '../etc', type: 'ticket', dimension: 8 }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('finds nearly the same neighbours through HNSW as by exact search', async () => {
    const dimension = 32;
    const random = mulberry32(7);
    const vectors = Array.from({ length: 1500 }, () =>
      Array.from({ length: dimension }, () => random() - 0.5),
    );
    const exact = embeddedIndex(dataDir, { VECTOR_EXACT_SEARCH_MAX: '100000' });
    const graph = embeddedIndex(path.join(dataDir, 'graph'), { VECTOR_EXACT_SEARCH_MAX: '100' });
    for (const index of [exact, graph]) {
      await index.ensureCollection({ companyId: acme, type: 'article', dimension });
      await index.upsert({
        companyId: acme,
        type: 'article',
        points: vectors.map((v, i) => pointOf(acme, `a${i}`, v, {}, 'article')),
      });
    }
    let found = 0;
    for (let q = 0; q < 30; q++) {
      const vector = Array.from({ length: dimension }, () => random() - 0.5);
      const truth = new Set(
        (await exact.search({ companyId: acme, type: 'article', vector, k: 10 })).map((h) => h.id),
      );
      const approx = await graph.search({ companyId: acme, type: 'article', vector, k: 10 });
      found += approx.filter((h) => truth.has(h.id)).length;
    }
    expect(found / 300).toBeGreaterThanOrEqual(0.95);
    await exact.onModuleDestroy();
    await graph.onModuleDestroy();
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

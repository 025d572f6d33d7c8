import { AppError } from '../../src/common/errors/app-error';
import { SearchDataType, SearchPayload } from '../../src/modules/search/domain/search-document';
import { VectorIndex, VectorPoint } from '../../src/modules/search/ports/vector-index.port';

export interface VectorIndexHarness {
  index: VectorIndex;
  /** Releases whatever the factory created (temp folders, servers, remote collections). */
  dispose(): Promise<void>;
  /** Checks, in the adapter's storage, that the collection replaced by a re-index is gone. */
  afterSwitch?(oldCollection: string): Promise<void>;
}

export const CONTRACT_DIMENSION = 8;

/** Deterministic test vectors: axis-aligned unit vectors give known, tie-free cosine orderings. */
export function axis(i: number, dimension = CONTRACT_DIMENSION, scale = 1): number[] {
  const v = new Array<number>(dimension).fill(0);
  v[i % dimension] = scale;
  return v;
}

/** A vector between two axes, nearer to the first the larger `weight` is. */
export function blend(a: number, b: number, weight: number, dimension = CONTRACT_DIMENSION): number[] {
  const v = new Array<number>(dimension).fill(0);
  v[a] = weight;
  v[b] = 1 - weight;
  return v;
}

export function payloadOf(
  companyId: string,
  id: string,
  overrides: Partial<SearchPayload> = {},
  type: SearchDataType = 'ticket',
): SearchPayload {
  return {
    company_id: companyId,
    type,
    id,
    title: `Subject of ${id}`,
    summary: `Summary of ${id}`,
    status: 'open',
    priority: 'medium',
    tags: [],
    created_at: '2024-03-01T10:00:00.000Z',
    updated_at: '2024-03-01T10:00:00.000Z',
    content_hash: `hash-${id}`,
    ...overrides,
  };
}

export function pointOf(
  companyId: string,
  id: string,
  vector: number[],
  overrides: Partial<SearchPayload> = {},
  type: SearchDataType = 'ticket',
): VectorPoint {
  return { id, vector, payload: payloadOf(companyId, id, overrides, type) };
}

async function expectAppError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).message).toMatch(pattern);
}

/**
 * One behaviour for every VectorIndex adapter. `factory` returns a fresh, empty index for each test
 * (a new temp folder, a reset double, or fresh collection names on a real Qdrant).
 */
export function runVectorIndexContract(name: string, factory: () => Promise<VectorIndexHarness>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let harness: VectorIndexHarness;
    let index: VectorIndex;
    const acme = 'acme';
    const globex = 'globex';

    beforeEach(async () => {
      harness = await factory();
      index = harness.index;
    });

    afterEach(async () => {
      await harness.dispose();
    });

    async function seed(companyId: string, points: VectorPoint[], type: SearchDataType = 'ticket') {
      await index.ensureCollection({ companyId, type, dimension: CONTRACT_DIMENSION });
      await index.upsert({ companyId, type, points });
    }

    describe('embedder versions and re-index', () => {
      it('records the embedder of the collection it creates; none before', async () => {
        await expect(index.activeCollection('ticket')).resolves.toBeUndefined();
        await index.ensureCollection({
          companyId: acme,
          type: 'ticket',
          dimension: CONTRACT_DIMENSION,
          model: 'embed-a',
        });
        await expect(index.activeCollection('ticket')).resolves.toMatchObject({
          embedder: { model: 'embed-a', dimension: CONTRACT_DIMENSION },
        });
        await expect(index.activeCollection('article')).resolves.toBeUndefined();
      });

      it('fills a new collection while reads stay on the active one, then switches and drops the old one', async () => {
        await seed(acme, [pointOf(acme, 'T-1', axis(0)), pointOf(acme, 'T-2', axis(1))]);
        const old = (await index.activeCollection('ticket'))!.name;
        const rebuilt = await index.createCollection('ticket', { model: 'embed-b', dimension: 4 });
        expect(rebuilt).not.toBe(old);
        await index.upsert({
          companyId: acme,
          type: 'ticket',
          collection: rebuilt,
          points: [
            pointOf(acme, 'T-1', axis(0, 4)),
            pointOf(acme, 'T-2', axis(1, 4)),
            pointOf(acme, 'T-3', axis(2, 4)),
          ],
        });
        // Until the switch, readers see the old collection and its size.
        expect((await index.search({ companyId: acme, type: 'ticket', vector: axis(1), k: 1 }))[0].id).toBe(
          'T-2',
        );
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(2);

        await index.activate('ticket', rebuilt);
        await expect(index.activeCollection('ticket')).resolves.toEqual({
          name: rebuilt,
          embedder: { model: 'embed-b', dimension: 4 },
        });
        expect(
          (await index.search({ companyId: acme, type: 'ticket', vector: axis(2, 4), k: 1 }))[0].id,
        ).toBe('T-3');
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(3);
        // Writes without a collection now go to the new one, with its size.
        await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: 4, model: 'embed-b' });
        await index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 'T-4', axis(3, 4))] });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(4);
        await harness.afterSwitch?.(old);
      });

      it('drops an abandoned rebuild without touching the active collection', async () => {
        await seed(acme, [pointOf(acme, 'T-1', axis(0))]);
        const rebuilt = await index.createCollection('ticket', { model: 'embed-b', dimension: 4 });
        await index.upsert({
          companyId: acme,
          type: 'ticket',
          collection: rebuilt,
          points: [pointOf(acme, 'T-9', axis(0, 4))],
        });
        await index.dropCollection('ticket', rebuilt);
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(1);
        await expect(index.activeCollection('ticket')).resolves.toMatchObject({
          embedder: { dimension: CONTRACT_DIMENSION },
        });
      });
    });

    describe('empty collection', () => {
      it('answers [] and 0 before the collection exists', async () => {
        await expect(
          index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 5 }),
        ).resolves.toEqual([]);
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(0);
        await expect(index.delete({ companyId: acme, type: 'ticket', ids: ['t1'] })).resolves.toBeUndefined();
      });

      it('answers [] and 0 once created but empty, and ensureCollection is idempotent', async () => {
        await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: CONTRACT_DIMENSION });
        await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: CONTRACT_DIMENSION });
        await expect(
          index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 5 }),
        ).resolves.toEqual([]);
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(0);
      });
    });

    describe('search results and ordering', () => {
      it('returns hits best first with id, type, cosine score and the stored payload', async () => {
        await seed(acme, [
          pointOf(acme, 'far', axis(3), { tags: ['billing'], resolution: 'Refunded.' }),
          pointOf(acme, 'near', blend(0, 1, 0.8)),
          pointOf(acme, 'exact', axis(0)),
          pointOf(acme, 'nearer', blend(0, 1, 0.95)),
        ]);
        const hits = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 10 });
        expect(hits.map((h) => h.id)).toEqual(['exact', 'nearer', 'near', 'far']);
        expect(hits[0]).toEqual({
          id: 'exact',
          type: 'ticket',
          score: expect.any(Number),
          payload: payloadOf(acme, 'exact'),
        });
        expect(hits[0].score).toBeCloseTo(1, 5);
        expect(hits[3].score).toBeCloseTo(0, 5);
        expect(hits[3].payload).toEqual(
          payloadOf(acme, 'far', { tags: ['billing'], resolution: 'Refunded.' }),
        );
        for (let i = 1; i < hits.length; i++) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      });

      it('scores by cosine: vector length does not matter', async () => {
        await seed(acme, [
          pointOf(acme, 'long', axis(1, CONTRACT_DIMENSION, 40)),
          pointOf(acme, 'other', axis(2)),
        ]);
        const hits = await index.search({
          companyId: acme,
          type: 'ticket',
          vector: axis(1, CONTRACT_DIMENSION, 0.01),
          k: 1,
        });
        expect(hits.map((h) => h.id)).toEqual(['long']);
        expect(hits[0].score).toBeCloseTo(1, 5);
      });

      it('returns at most k hits, all of them when k exceeds the count', async () => {
        await seed(
          acme,
          Array.from({ length: 6 }, (_, i) => pointOf(acme, `t${i}`, blend(0, 1, 1 - i * 0.1))),
        );
        const three = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 3 });
        expect(three.map((h) => h.id)).toEqual(['t0', 't1', 't2']);
        const all = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 50 });
        expect(all).toHaveLength(6);
      });

      it('breaks score ties by id, whatever the insertion order', async () => {
        // Equal vectors under ids stored out of order: only the id can order them.
        await seed(acme, [
          pointOf(acme, 'tie-c', axis(0)),
          pointOf(acme, 'tie-a', axis(0)),
          pointOf(acme, 'other', axis(1)),
          pointOf(acme, 'tie-b', axis(0)),
        ]);
        const two = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 2 });
        expect(two.map((h) => h.id)).toEqual(['tie-a', 'tie-b']);
        const all = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 10 });
        expect(all.map((h) => h.id)).toEqual(['tie-a', 'tie-b', 'tie-c', 'other']);
      });

      it('answers identical searches identically while the data is unchanged, re-upserts included', async () => {
        const points = Array.from({ length: 60 }, (_, i) =>
          pointOf(acme, `t${String(i).padStart(2, '0')}`, blend(i % 8, (i * 3 + 1) % 8, 0.5 + (i % 5) / 10)),
        );
        await seed(acme, points);
        const query = blend(2, 5, 0.7);
        const search = async () =>
          (await index.search({ companyId: acme, type: 'ticket', vector: query, k: 12 })).map((h) => [
            h.id,
            h.score,
          ]);
        const first = await search();
        for (let round = 0; round < 3; round++) {
          // Indexing the same content again (a forced re-ingest) is no change of the data.
          await index.upsert({ companyId: acme, type: 'ticket', points: [...points].reverse() });
          expect(await search()).toEqual(first);
        }
      });

      it('rejects a k outside 1-1000 as validation_failed', async () => {
        await seed(acme, [pointOf(acme, 't1', axis(0))]);
        await expectAppError(
          index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 0 }),
          'validation_failed',
          /k/,
        );
      });
    });

    describe('isolation', () => {
      it('never returns, counts or deletes another company’s points, even with equal ids', async () => {
        await seed(acme, [pointOf(acme, 't1', axis(0)), pointOf(acme, 't2', axis(1))]);
        await seed(globex, [
          pointOf(globex, 't1', axis(0), { title: 'globex secret' }),
          pointOf(globex, 't9', axis(0)),
        ]);

        const acmeHits = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 10 });
        expect(acmeHits.map((h) => h.id).sort()).toEqual(['t1', 't2']);
        expect(acmeHits.every((h) => h.payload.company_id === acme)).toBe(true);
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(2);
        await expect(index.count({ companyId: globex, type: 'ticket' })).resolves.toBe(2);

        await index.delete({ companyId: acme, type: 'ticket', ids: ['t1', 't9'] });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(1);
        const globexHits = await index.search({ companyId: globex, type: 'ticket', vector: axis(0), k: 10 });
        expect(globexHits.map((h) => h.id).sort()).toEqual(['t1', 't9']);
        expect(globexHits.find((h) => h.id === 't1')?.payload.title).toBe('globex secret');
      });

      it('keeps tickets and articles apart', async () => {
        await seed(acme, [pointOf(acme, 'same-id', axis(0))], 'ticket');
        await seed(acme, [pointOf(acme, 'same-id', axis(0), { title: 'an article' }, 'article')], 'article');
        const articles = await index.search({ companyId: acme, type: 'article', vector: axis(0), k: 5 });
        expect(articles).toHaveLength(1);
        expect(articles[0]).toMatchObject({
          id: 'same-id',
          type: 'article',
          payload: { title: 'an article' },
        });
        await index.delete({ companyId: acme, type: 'article', ids: ['same-id'] });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(1);
      });

      it('refuses a point whose payload names another company', async () => {
        await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: CONTRACT_DIMENSION });
        await expectAppError(
          index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(globex, 't1', axis(0))] }),
          'validation_failed',
          /company_id/,
        );
      });
    });

    describe('filters', () => {
      beforeEach(async () => {
        await seed(acme, [
          pointOf(acme, 'open-high', blend(0, 1, 0.9), {
            status: 'open',
            priority: 'high',
            tags: ['billing', 'refund'],
            created_at: '2024-01-10T00:00:00.000Z',
          }),
          pointOf(acme, 'pending-low', blend(0, 1, 0.8), {
            status: 'pending',
            priority: 'low',
            tags: ['login'],
            created_at: '2024-02-10T00:00:00.000Z',
          }),
          pointOf(acme, 'closed-urgent', blend(0, 1, 0.7), {
            status: 'closed',
            priority: 'urgent',
            tags: ['billing'],
            created_at: '2024-03-10T00:00:00.000Z',
          }),
          pointOf(acme, 'resolved-none', blend(0, 1, 0.6), {
            status: 'resolved',
            priority: 'medium',
            tags: [],
            created_at: '2024-04-10T00:00:00.000Z',
          }),
        ]);
        await seed(globex, [pointOf(globex, 'globex-open', axis(0), { status: 'open', tags: ['billing'] })]);
      });

      const ids = async (filter: object) =>
        (await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 10, filter })).map(
          (h) => h.id,
        );

      it('filters by status and priority (any of)', async () => {
        await expect(ids({ status: ['open', 'closed'] })).resolves.toEqual(['open-high', 'closed-urgent']);
        await expect(ids({ priority: ['low'] })).resolves.toEqual(['pending-low']);
        await expect(ids({ status: ['open'], priority: ['low'] })).resolves.toEqual([]);
      });

      it('filters by tags: any of the given tags', async () => {
        await expect(ids({ tags: ['refund', 'login'] })).resolves.toEqual(['open-high', 'pending-low']);
        await expect(ids({ tags: ['billing'] })).resolves.toEqual(['open-high', 'closed-urgent']);
        await expect(ids({ tags: ['nothing'] })).resolves.toEqual([]);
      });

      it('filters by created_at range, inclusive at both ends', async () => {
        await expect(
          ids({ createdFrom: '2024-02-10T00:00:00.000Z', createdTo: '2024-03-10T00:00:00.000Z' }),
        ).resolves.toEqual(['pending-low', 'closed-urgent']);
        await expect(ids({ createdFrom: '2024-03-01T00:00:00Z' })).resolves.toEqual([
          'closed-urgent',
          'resolved-none',
        ]);
        await expect(ids({ createdTo: '2024-01-31T23:59:59Z' })).resolves.toEqual(['open-high']);
      });

      it('leaves out excluded ids and combines every filter with AND', async () => {
        await expect(ids({ excludeIds: ['open-high', 'resolved-none'] })).resolves.toEqual([
          'pending-low',
          'closed-urgent',
        ]);
        await expect(
          ids({ tags: ['billing'], status: ['open', 'closed'], createdFrom: '2024-02-01T00:00:00Z' }),
        ).resolves.toEqual(['closed-urgent']);
      });

      it('treats empty lists as no filter and counts with filters', async () => {
        await expect(ids({ status: [], tags: [] })).resolves.toHaveLength(4);
        await expect(
          index.count({ companyId: acme, type: 'ticket', filter: { tags: ['billing'] } }),
        ).resolves.toBe(2);
        await expect(
          index.count({ companyId: globex, type: 'ticket', filter: { tags: ['billing'] } }),
        ).resolves.toBe(1);
      });
    });

    describe('upsert and delete', () => {
      it('is idempotent: re-upserting an id replaces its vector and payload', async () => {
        await seed(acme, [pointOf(acme, 't1', axis(0), { status: 'open' }), pointOf(acme, 't2', axis(1))]);
        await index.upsert({
          companyId: acme,
          type: 'ticket',
          points: [pointOf(acme, 't1', axis(0), { status: 'open' })],
        });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(2);

        await index.upsert({
          companyId: acme,
          type: 'ticket',
          points: [pointOf(acme, 't1', axis(2), { status: 'closed' })],
        });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(2);
        const hits = await index.search({ companyId: acme, type: 'ticket', vector: axis(2), k: 1 });
        expect(hits[0]).toMatchObject({ id: 't1', payload: { status: 'closed' } });
        expect(hits[0].score).toBeCloseTo(1, 5);
      });

      it('deletes by id, ignores unknown ids, and can index a deleted id again', async () => {
        await seed(acme, [
          pointOf(acme, 't1', axis(0)),
          pointOf(acme, 't2', axis(1)),
          pointOf(acme, 't3', axis(2)),
        ]);
        await index.delete({ companyId: acme, type: 'ticket', ids: ['t1', 'unknown'] });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(2);
        const hits = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 10 });
        expect(hits.map((h) => h.id)).not.toContain('t1');

        await index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 't1', axis(0))] });
        const again = await index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 1 });
        expect(again.map((h) => h.id)).toEqual(['t1']);
      });

      it('deletes a whole company (both types), leaves the other company alone, and is idempotent', async () => {
        await seed(acme, [pointOf(acme, 't1', axis(0)), pointOf(acme, 't2', axis(1))]);
        await seed(acme, [pointOf(acme, 'a1', axis(2), {}, 'article')], 'article');
        await seed(globex, [pointOf(globex, 't1', axis(0))]);

        await expect(index.deleteCompany({ companyId: acme, type: 'ticket' })).resolves.toBe(2);
        await expect(index.deleteCompany({ companyId: acme, type: 'article' })).resolves.toBe(1);
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(0);
        await expect(index.count({ companyId: acme, type: 'article' })).resolves.toBe(0);
        await expect(
          index.search({ companyId: acme, type: 'ticket', vector: axis(0), k: 10 }),
        ).resolves.toEqual([]);
        await expect(index.count({ companyId: globex, type: 'ticket' })).resolves.toBe(1);
        // Again: nothing left, nothing counted; unknown company and missing collection likewise.
        await expect(index.deleteCompany({ companyId: acme, type: 'ticket' })).resolves.toBe(0);
        await expect(index.deleteCompany({ companyId: 'initech', type: 'ticket' })).resolves.toBe(0);

        // The company can be indexed again afterwards.
        await index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 't3', axis(3))] });
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(1);
      });

      it('upserts large batches', async () => {
        const points = Array.from({ length: 600 }, (_, i) =>
          pointOf(
            acme,
            `bulk-${i}`,
            blend(i % CONTRACT_DIMENSION, (i + 1) % CONTRACT_DIMENSION, 0.5 + (i % 50) / 100),
          ),
        );
        await seed(acme, points);
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(600);
      });
    });

    describe('dimension', () => {
      it('rejects ensuring an existing collection with another dimension, naming both', async () => {
        await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: CONTRACT_DIMENSION });
        await expectAppError(
          index.ensureCollection({ companyId: acme, type: 'ticket', dimension: CONTRACT_DIMENSION * 2 }),
          'validation_failed',
          new RegExp(`dimension.*${CONTRACT_DIMENSION}`),
        );
      });

      it('rejects vectors of the wrong dimension on upsert and search, naming the dimension', async () => {
        await seed(acme, [pointOf(acme, 't1', axis(0))]);
        await expectAppError(
          index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 't2', [1, 0, 0])] }),
          'validation_failed',
          /dimension 8.*dimension 3/,
        );
        await expectAppError(
          index.search({ companyId: acme, type: 'ticket', vector: [1, 0, 0], k: 1 }),
          'validation_failed',
          /dimension 8.*dimension 3/,
        );
        await expect(index.count({ companyId: acme, type: 'ticket' })).resolves.toBe(1);
      });
    });
  });
}

import { QdrantClient } from '@qdrant/js-client-rest';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../src/common/errors/app-error';
import { loadConfig } from '../../../src/config/config';
import { QdrantVectorIndex } from '../../../src/modules/search/adapters/qdrant.vector-index.adapter';
import { pointIdOf } from '../../../src/modules/search/domain/point-id';
import { axis, pointOf, runVectorIndexContract } from '../../contract/vector-index.contract';
import { FakeQdrantServer } from '../../fakes/qdrant.fake-server';

const fake = new FakeQdrantServer();

beforeAll(async () => {
  await fake.start();
});

afterAll(async () => {
  await fake.stop();
});

function adapterFor(url: string, env: Record<string, string> = {}): QdrantVectorIndex {
  return new QdrantVectorIndex(loadConfig({ QDRANT_URL: url, QDRANT_TIMEOUT_MS: '2000', ...env }));
}

runVectorIndexContract('qdrant adapter on the OpenAPI-validated double', async () => {
  fake.reset();
  return {
    index: adapterFor(fake.url),
    afterSwitch: async (old) => {
      expect(fake.collectionNames()).not.toContain(old);
      expect(fake.aliasNames()).toEqual({ tickets: expect.stringMatching(/^tickets__/) });
      // Another instance (a fresh adapter) reads through the alias.
      const other = adapterFor(fake.url);
      await expect(other.activeCollection('ticket')).resolves.toMatchObject({
        embedder: { model: 'embed-b', dimension: 4 },
      });
      await expect(other.count({ companyId: 'acme', type: 'ticket' })).resolves.toBe(4);
    },
    // Any request or response outside Qdrant's OpenAPI document fails the test that caused it.
    dispose: async () => expect(fake.validationErrors).toEqual([]),
  };
});

// Only registered when a real Qdrant is configured: fresh collection names per test, removed afterwards.
if (process.env.QDRANT_URL) {
  const url = process.env.QDRANT_URL;
  const apiKey = process.env.QDRANT_API_KEY;
  runVectorIndexContract(`qdrant adapter on ${url}`, async () => {
    const prefix = `contract_${randomBytes(4).toString('hex')}_`;
    const index = adapterFor(url, {
      QDRANT_COLLECTION_PREFIX: prefix,
      QDRANT_TIMEOUT_MS: '10000',
      ...(apiKey ? { QDRANT_API_KEY: apiKey } : {}),
    });
    return {
      index,
      dispose: async () => {
        const client = new QdrantClient({ url, apiKey, checkCompatibility: false });
        for (const type of ['ticket', 'article'] as const) {
          const name = index.collectionOf(type);
          if ((await client.collectionExists(name)).exists) await client.deleteCollection(name);
        }
      },
    };
  });
}

describe('QdrantVectorIndex on the double', () => {
  const acme = 'acme';

  beforeEach(() => fake.reset());
  afterEach(() => expect(fake.validationErrors).toEqual([]));

  it('creates one cosine collection per type with the tenant and filter payload indexes', async () => {
    const index = adapterFor(fake.url);
    await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: 8 });
    await index.ensureCollection({ companyId: acme, type: 'article', dimension: 8 });
    expect(fake.collectionNames().sort()).toEqual(['articles', 'tickets']);
    expect(fake.payloadIndexes('tickets')).toEqual({
      company_id: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true } },
      status: { data_type: 'keyword', params: { type: 'keyword' } },
      priority: { data_type: 'keyword', params: { type: 'keyword' } },
      tags: { data_type: 'keyword', params: { type: 'keyword' } },
      created_at: { data_type: 'datetime', params: { type: 'datetime' } },
    });
    const create = fake.requests.find((r) => r.operationId === 'create_collection');
    expect(create?.body).toMatchObject({ vectors: { size: 8, distance: 'Cosine' } });
    // A second process (fresh adapter) finds the collection and creates nothing.
    const before = fake.requests.length;
    await adapterFor(fake.url).ensureCollection({ companyId: acme, type: 'ticket', dimension: 8 });
    expect(fake.requests.slice(before).map((r) => r.operationId)).toEqual([
      'get_collections_aliases',
      'get_collection',
    ]);
  });

  it('stores points under UUIDs derived from (company, type, id), so re-indexing overwrites', async () => {
    const index = adapterFor(fake.url);
    await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: 8 });
    await index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 't1', axis(0))] });
    await index.upsert({ companyId: acme, type: 'ticket', points: [pointOf(acme, 't1', axis(1))] });
    const id = pointIdOf(acme, 'ticket', 't1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fake.pointIds('tickets')).toEqual([id]);
    expect(pointIdOf('globex', 'ticket', 't1')).not.toBe(id);
    expect(pointIdOf(acme, 'article', 't1')).not.toBe(id);
  });

  it('sends upserts in batches of QDRANT_UPSERT_BATCH_SIZE', async () => {
    const index = adapterFor(fake.url, { QDRANT_UPSERT_BATCH_SIZE: '100' });
    await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: 8 });
    await index.upsert({
      companyId: acme,
      type: 'ticket',
      points: Array.from({ length: 250 }, (_, i) => pointOf(acme, `t${i}`, axis(i))),
    });
    const upserts = fake.requests.filter((r) => r.operationId === 'upsert_points');
    expect(upserts.map((r) => (r.body as { points: unknown[] }).points.length)).toEqual([100, 100, 50]);
    expect(upserts.every((r) => r.query.wait === 'true')).toBe(true);
  });

  it('puts a company must-filter on every query, count and delete, whatever the caller filter', async () => {
    const index = adapterFor(fake.url);
    await index.ensureCollection({ companyId: acme, type: 'ticket', dimension: 8 });
    await index.search({
      companyId: acme,
      type: 'ticket',
      vector: axis(0),
      k: 3,
      filter: { tags: ['x'], excludeIds: ['t1'] },
    });
    await index.count({ companyId: acme, type: 'ticket' });
    await index.delete({ companyId: acme, type: 'ticket', ids: ['t1'] });
    const scoped = fake.requests.filter((r) =>
      ['query_points', 'count_points', 'delete_points'].includes(r.operationId),
    );
    expect(scoped).toHaveLength(3);
    for (const request of scoped) {
      const filter = (request.body as { filter: { must: unknown[] } }).filter;
      expect(filter.must[0]).toEqual({ key: 'company_id', match: { value: acme } });
    }
    expect((scoped[0].body as { filter: unknown }).filter).toEqual({
      must: [
        { key: 'company_id', match: { value: acme } },
        { key: 'tags', match: { any: ['x'] } },
      ],
      must_not: [{ has_id: [pointIdOf(acme, 'ticket', 't1')] }],
    });
  });

  it('maps a slow Qdrant to dependency_unavailable within the configured timeout', async () => {
    const index = adapterFor(fake.url, { QDRANT_TIMEOUT_MS: '150' });
    fake.delayMs = 1000;
    const started = Date.now();
    const error = await index.count({ companyId: acme, type: 'ticket' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'dependency_unavailable' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('stops waiting when the caller aborts', async () => {
    const index = adapterFor(fake.url);
    fake.delayMs = 1000;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await index
      .count({ companyId: acme, type: 'ticket', signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'dependency_unavailable' });
  });

  it('maps 5xx answers and an unreachable server to dependency_unavailable', async () => {
    const index = adapterFor(fake.url);
    // Every request fails while this runs: a request of an earlier test that arrives late (seen once in CI on
    // Node 24: the count then resolved) must not take the only injected failure.
    fake.failNext(503, 1_000);
    await expect(index.count({ companyId: acme, type: 'ticket' })).rejects.toMatchObject({
      code: 'dependency_unavailable',
    });
    fake.reset();

    const closed = new FakeQdrantServer();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    await expect(adapterFor(url).count({ companyId: acme, type: 'ticket' })).rejects.toMatchObject({
      code: 'dependency_unavailable',
    });
  });
});

describe('FakeQdrantServer validation', () => {
  beforeEach(() => fake.reset());

  it('answers 400 with the ajv errors and records a request outside the OpenAPI document', async () => {
    const response = await fetch(`${fake.url}/collections/tickets/points/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: [1, 0], limit: -1 }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { status: { error: string } };
    expect(body.status.error).toContain('must be >= 1');
    expect(fake.validationErrors).toHaveLength(1);
    expect(fake.validationErrors[0]).toMatchObject({ direction: 'request', operationId: 'query_points' });
    fake.validationErrors.length = 0;
  });

  it('rejects unknown query parameters and non-UUID point ids', async () => {
    await fetch(`${fake.url}/collections/tickets?bogus=1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vectors: { size: 2, distance: 'Cosine' } }),
    });
    const upsert = await fetch(`${fake.url}/collections/tickets/points`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ points: [{ id: 'not-a-uuid', vector: [1, 0], payload: {} }] }),
    });
    expect(upsert.status).toBe(400);
    expect(fake.validationErrors.map((f) => f.operationId)).toEqual(['create_collection', 'upsert_points']);
    fake.validationErrors.length = 0;
  });

  it('normalizes Cosine vectors at insert and scores by cosine', async () => {
    const put = (path: string, body: unknown) =>
      fetch(`${fake.url}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await put('/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    await put('/collections/c/points?wait=true', { points: [{ id: 1, vector: [3, 4], payload: { a: 1 } }] });
    const response = await fetch(`${fake.url}/collections/c/points/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: [6, 8], with_vector: true }),
    });
    const body = (await response.json()) as { result: { points: { score: number; vector: number[] }[] } };
    expect(body.result.points[0].score).toBeCloseTo(1, 6);
    const [x, y] = body.result.points[0].vector;
    expect(x).toBeCloseTo(0.6, 9);
    expect(y).toBeCloseTo(0.8, 9);
    expect(fake.validationErrors).toEqual([]);
  });
});

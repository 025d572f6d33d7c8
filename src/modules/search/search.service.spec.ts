import { EmbedderVersions } from './embedder-versions.service';
import { AppError } from '../../common/errors/app-error';
import { AppConfig, loadConfig } from '../../config/config';
import { LlmService } from '../llm/llm.service';
import { MetricsService } from '../metrics/metrics.service';
import { SearchDataType, SearchHit, SearchPayload } from './domain/search-document';
import { LexicalIndex, LexicalSearchRequest } from './ports/lexical-index.port';
import { VectorIndex, VectorSearchRequest } from './ports/vector-index.port';
import { FakeDocumentPresence } from '../../../test/fakes/document-presence.fake';
import { DATABASE_DEGRADED, SearchService, VECTOR_DEGRADED } from './search.service';

function hit(type: SearchDataType, id: string, companyId = 'co-a', score = 1): SearchHit {
  const payload: SearchPayload = {
    company_id: companyId,
    type,
    id,
    title: `title ${id}`,
    summary: `summary ${id}`,
    tags: [],
    created_at: '2024-05-01T00:00:00.000Z',
    updated_at: '2024-05-01T00:00:00.000Z',
    content_hash: 'h',
    ...(type === 'ticket' ? { status: 'open', priority: 'high' } : {}),
  };
  return { id, type, score, payload };
}

class ListVectorIndex {
  readonly requests: VectorSearchRequest[] = [];
  constructor(private readonly lists: Record<string, SearchHit[]>) {}
  search(request: VectorSearchRequest): Promise<SearchHit[]> {
    this.requests.push(request);
    return Promise.resolve(this.lists[request.type] ?? []);
  }
}

class ListLexicalIndex {
  readonly requests: LexicalSearchRequest[] = [];
  /** While set, every search rejects with it. */
  failure: Error | undefined;
  constructor(private readonly lists: Record<string, SearchHit[]>) {}
  search(request: LexicalSearchRequest): Promise<SearchHit[]> {
    this.requests.push(request);
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(this.lists[request.type] ?? []);
  }
}

function serviceWith(input: {
  embed?: () => Promise<{ vectors: Float32Array[] }>;
  vector: Record<string, SearchHit[]>;
  lexical: Record<string, SearchHit[]>;
  env?: Record<string, string>;
}) {
  const embedCalls: unknown[] = [];
  const llm = {
    embed: (request: unknown) => {
      embedCalls.push(request);
      return input.embed ? input.embed() : Promise.resolve({ vectors: [new Float32Array([1, 0])] });
    },
  } as unknown as LlmService;
  const vectors = new ListVectorIndex(input.vector);
  const lexical = new ListLexicalIndex(input.lexical);
  const config: AppConfig = loadConfig({ ADMIN_API_KEY: 'admin-key-0123456789abcdef', ...input.env });
  const metrics = new MetricsService(config);
  const presence = new FakeDocumentPresence();
  const service = new SearchService(
    llm,
    vectors as unknown as VectorIndex,
    lexical as unknown as LexicalIndex,
    config,
    metrics,
    presence,
    // Every collection current: the embedder-version gate is covered by test/e2e/reindex.e2e.spec.ts.
    { isCurrent: () => Promise.resolve(true), markStale: () => undefined } as unknown as EmbedderVersions,
  );
  return { service, vectors, lexical, embedCalls, metrics, presence };
}

describe('SearchService', () => {
  const filter = { status: ['open'], tags: ['refund'] };

  it('never returns a hit whose ticket or article is no longer stored (deleted, index entries not yet removed)', async () => {
    const { service, presence } = serviceWith({
      vector: { ticket: [hit('ticket', 'T1'), hit('ticket', 'T2')], article: [hit('article', 'K1')] },
      lexical: { ticket: [hit('ticket', 'T2')], article: [hit('article', 'K1')] },
      env: { SEARCH_HYBRID: 'true' },
    });
    presence.delete('co-a', 'ticket', 'T2');
    presence.delete('co-a', 'article', 'K1');
    const outcome = await service.search({
      companyId: 'co-a',
      query: 'refund',
      dataTypes: ['ticket', 'article'],
      limit: 5,
    });
    expect(outcome.results.map((r) => `${r.type}:${r.id}`)).toEqual(['ticket:T1']);
    expect(presence.requests.every((r) => r.companyId === 'co-a')).toBe(true);
  });

  it('embeds interactively, queries both indexes per type with the same company, filter and k, and fuses by rank', async () => {
    const { service, vectors, lexical, embedCalls } = serviceWith({
      vector: { ticket: [hit('ticket', 'T1'), hit('ticket', 'T2')], article: [hit('article', 'K1')] },
      lexical: { ticket: [hit('ticket', 'T2'), hit('ticket', 'T3')], article: [] },
      env: { SEARCH_FUSION: 'rrf', SEARCH_RRF_LEXICAL_WEIGHT: '1', SEARCH_RRF_K: '60' },
    });
    const outcome = await service.search({
      companyId: 'co-a',
      query: 'refund',
      dataTypes: ['ticket', 'article'],
      limit: 3,
      filter,
    });
    expect(embedCalls).toEqual([{ companyId: 'co-a', texts: ['refund'], priority: 'interactive' }]);
    for (const request of [...vectors.requests, ...lexical.requests]) {
      expect(request).toMatchObject({ companyId: 'co-a', k: 9, filter });
    }
    expect(vectors.requests.map((r) => r.type)).toEqual(['ticket', 'article']);
    expect(lexical.requests.map((r) => r.type)).toEqual(['ticket', 'article']);
    // T2 is in both ticket lists; T1 and K1 tie at rank 1 of one list each.
    expect(outcome.results.map((r) => `${r.type}:${r.id}`)).toEqual(['ticket:T2', 'article:K1', 'ticket:T1']);
    expect(outcome).toMatchObject({ cached: false });
    expect(outcome.degraded).toBeUndefined();
    expect(outcome.results[0]).toEqual({
      type: 'ticket',
      id: 'T2',
      // Relevance on its scale (the cosine, as the vector search found it), the fusion value apart.
      score: 1,
      score_type: 'cosine',
      keyword_score: 1,
      fusion_score: Number((1 / 62 + 1 / 61).toFixed(6)),
      title: 'title T2',
      summary: 'summary T2',
      status: 'open',
      priority: 'high',
      tags: [],
      created_at: '2024-05-01T00:00:00.000Z',
      updated_at: '2024-05-01T00:00:00.000Z',
    });
    expect(outcome.results[1]).not.toHaveProperty('status');
  });

  it('answers with keyword results only when the embedder is unavailable', async () => {
    const { service, vectors } = serviceWith({
      embed: () => Promise.reject(AppError.unavailable('embedding model')),
      vector: { ticket: [hit('ticket', 'T1')] },
      lexical: { ticket: [hit('ticket', 'T3'), hit('ticket', 'T4')] },
    });
    const outcome = await service.search({
      companyId: 'co-a',
      query: 'refund',
      dataTypes: ['ticket'],
      limit: 10,
    });
    expect(vectors.requests).toEqual([]);
    expect(outcome.results.map((r) => r.id)).toEqual(['T3', 'T4']);
    expect(outcome.degraded).toBe(VECTOR_DEGRADED);
  });

  /** What pg throws while PostgreSQL restarts (src/common/errors/database-errors.ts). */
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it('answers from vectors alone, said so, while the database (keyword index, deletion check) is unreachable', async () => {
    const { service, lexical, presence } = serviceWith({
      vector: { ticket: [hit('ticket', 'T1', 'co-a', 0.8), hit('ticket', 'T2', 'co-a', 0.7)] },
      lexical: { ticket: [hit('ticket', 'T3')] },
      env: { SEARCH_HYBRID: 'true' },
    });
    lexical.failure = refused();
    presence.failure = refused();
    const outcome = await service.search({
      companyId: 'co-a',
      query: 'refund',
      dataTypes: ['ticket'],
      limit: 5,
    });
    expect(outcome.results.map((r) => [r.id, r.score_type])).toEqual([
      ['T1', 'cosine'],
      ['T2', 'cosine'],
    ]);
    expect(outcome.degraded).toBe(DATABASE_DEGRADED);

    // The keyword index alone down: the deletion check still runs.
    presence.failure = undefined;
    presence.delete('co-a', 'ticket', 'T2');
    const checked = await service.search({
      companyId: 'co-a',
      query: 'refund',
      dataTypes: ['ticket'],
      limit: 5,
    });
    expect(checked.results.map((r) => r.id)).toEqual(['T1']);
    expect(checked.degraded).toBe(DATABASE_DEGRADED);
  });

  it('is unavailable (503), not empty, when neither index can answer; a keyword-index bug is rethrown', async () => {
    const down = serviceWith({
      embed: () => Promise.reject(AppError.unavailable('embedding model')),
      vector: {},
      lexical: {},
      env: { SEARCH_HYBRID: 'true' },
    });
    down.lexical.failure = refused();
    await expect(
      down.service.search({ companyId: 'co-a', query: 'x', dataTypes: ['ticket'], limit: 1 }),
    ).rejects.toMatchObject({ code: 'dependency_unavailable' });

    const buggy = serviceWith({
      vector: { ticket: [hit('ticket', 'T1')] },
      lexical: {},
      env: { SEARCH_HYBRID: 'true' },
    });
    buggy.lexical.failure = new Error('syntax error in tsquery');
    await expect(
      buggy.service.search({ companyId: 'co-a', query: 'x', dataTypes: ['ticket'], limit: 1 }),
    ).rejects.toThrow('syntax error in tsquery');
  });

  it('rethrows other embedding errors', async () => {
    const { service } = serviceWith({
      embed: () => Promise.reject(new Error('bug')),
      vector: {},
      lexical: {},
    });
    await expect(
      service.search({ companyId: 'co-a', query: 'x', dataTypes: ['ticket'], limit: 1 }),
    ).rejects.toThrow('bug');
  });

  it('with SEARCH_HYBRID=false uses vectors only, keywords only as the fallback', async () => {
    const lists = { vector: { ticket: [hit('ticket', 'T1')] }, lexical: { ticket: [hit('ticket', 'T3')] } };
    const off = serviceWith({ ...lists, env: { SEARCH_HYBRID: 'false' } });
    const outcome = await off.service.search({
      companyId: 'co-a',
      query: 'q',
      dataTypes: ['ticket'],
      limit: 5,
    });
    expect(outcome.results.map((r) => r.id)).toEqual(['T1']);
    expect(off.lexical.requests).toEqual([]);
    // The default, chosen by the retrieval eval through the API (see search.config): hybrid.
    const byDefault = serviceWith(lists);
    await byDefault.service.search({ companyId: 'co-a', query: 'q', dataTypes: ['ticket'], limit: 5 });
    expect(byDefault.lexical.requests).toHaveLength(1);

    const down = serviceWith({
      ...lists,
      embed: () => Promise.reject(AppError.unavailable('embedding model')),
      env: { SEARCH_HYBRID: 'false' },
    });
    const fallback = await down.service.search({
      companyId: 'co-a',
      query: 'q',
      dataTypes: ['ticket'],
      limit: 5,
    });
    expect(fallback).toEqual(expect.objectContaining({ degraded: VECTOR_DEGRADED }));
    expect(fallback.results.map((r) => r.id)).toEqual(['T3']);
  });

  it('weighs the keyword list and smooths ranks as SEARCH_RRF_LEXICAL_WEIGHT and SEARCH_RRF_K say', async () => {
    const lists = {
      vector: { ticket: [hit('ticket', 'V1'), hit('ticket', 'V2')] },
      lexical: { ticket: [hit('ticket', 'L1'), hit('ticket', 'V2')] },
    };
    const order = async (env: Record<string, string>) =>
      (
        await serviceWith({ ...lists, env: { SEARCH_FUSION: 'rrf', ...env } }).service.search({
          companyId: 'co-a',
          query: 'q',
          dataTypes: ['ticket'],
          limit: 3,
        })
      ).results.map((r) => r.id);
    // Equal weights, k = 60: V2 is in both lists; V1 and L1 tie at rank 1 and break by key.
    expect(await order({ SEARCH_RRF_LEXICAL_WEIGHT: '1', SEARCH_RRF_K: '60' })).toEqual(['V2', 'L1', 'V1']);
    // A light keyword list: its own first hit falls behind both vector hits.
    expect(await order({ SEARCH_RRF_LEXICAL_WEIGHT: '0.25', SEARCH_RRF_K: '60' })).toEqual([
      'V2',
      'V1',
      'L1',
    ]);
    // A heavy keyword list with k = 0: L1 2/1, V2 1/2 + 2/2, V1 1/1.
    expect(await order({ SEARCH_RRF_LEXICAL_WEIGHT: '2', SEARCH_RRF_K: '0' })).toEqual(['L1', 'V2', 'V1']);
  });

  it('by default orders by cosine + keyword weight × keyword score, and reports each on its own scale', async () => {
    const { service } = serviceWith({
      vector: { ticket: [hit('ticket', 'V1', 'co-a', 0.62), hit('ticket', 'B2', 'co-a', 0.55)] },
      lexical: { ticket: [hit('ticket', 'L1', 'co-a', 0.7), hit('ticket', 'B2', 'co-a', 0.3)] },
    });
    const { results } = await service.search({
      companyId: 'co-a',
      query: 'q',
      dataTypes: ['ticket'],
      limit: 3,
    });
    expect(results.map((r) => [r.id, r.score, r.score_type, r.keyword_score, r.fusion_score])).toEqual([
      ['B2', 0.55, 'cosine', 0.3, 0.85],
      ['L1', 0.7, 'keyword', undefined, 0.7],
      ['V1', 0.62, 'cosine', undefined, 0.62],
    ]);
  });

  it('orders equal fused values by id, whatever order the adapters returned them in', async () => {
    const { service } = serviceWith({
      vector: { ticket: [hit('ticket', 'T9', 'co-a', 0.5), hit('ticket', 'T1', 'co-a', 0.5)] },
      lexical: {},
    });
    const { results } = await service.search({
      companyId: 'co-a',
      query: 'q',
      dataTypes: ['ticket'],
      limit: 2,
    });
    expect(results.map((r) => r.id)).toEqual(['T1', 'T9']);
  });

  it('refuses a malformed SEARCH_RRF_LEXICAL_WEIGHT at start, naming it', () => {
    expect(() => serviceWith({ vector: {}, lexical: {}, env: { SEARCH_RRF_LEXICAL_WEIGHT: '-1' } })).toThrow(
      /SEARCH_RRF_LEXICAL_WEIGHT/,
    );
  });

  it('drops any hit whose payload belongs to another company', async () => {
    const { service } = serviceWith({
      vector: { ticket: [hit('ticket', 'X1', 'co-b'), hit('ticket', 'T1')] },
      lexical: {},
    });
    const outcome = await service.search({ companyId: 'co-a', query: 'q', dataTypes: ['ticket'], limit: 5 });
    expect(outcome.results.map((r) => r.id)).toEqual(['T1']);
  });

  it('times each vector query per company and collection with its result count; none when degraded', async () => {
    const { service, metrics } = serviceWith({
      vector: { ticket: [hit('ticket', 'T1'), hit('ticket', 'T2')], article: [] },
      lexical: {},
    });
    await service.search({ companyId: 'co-a', query: 'q', dataTypes: ['ticket', 'article'], limit: 5 });
    const body = (await metrics.scrape()).body;
    expect(body).toContain('vector_search_duration_seconds_count{company_id="co-a",collection="tickets"} 1');
    expect(body).toContain('vector_search_results_count_sum{company_id="co-a",collection="tickets"} 2');
    expect(body).toContain('vector_search_results_count_sum{company_id="co-a",collection="articles"} 0');

    const down = serviceWith({
      embed: () => Promise.reject(AppError.unavailable('embedder')),
      vector: { ticket: [hit('ticket', 'T1')] },
      lexical: { ticket: [hit('ticket', 'T1')] },
    });
    await down.service.search({ companyId: 'co-a', query: 'q', dataTypes: ['ticket'], limit: 5 });
    expect((await down.metrics.scrape()).body).not.toMatch(/^vector_search_duration_seconds_count/m);
  });
});

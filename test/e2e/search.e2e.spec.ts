import { articleFactory, koreanTicketFactory, ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One company's corpus; `p` prefixes every id so a leak between companies is visible. */
function corpus(p: string) {
  const tickets = [
    ticketFactory({
      ticket_id: `${p}-REFUND`,
      subject: 'Refund not received after 10 days',
      description: 'I returned the jacket two weeks ago and still have not received my refund.',
      status: 'open',
      priority: 'high',
      tags: ['refund', 'billing'],
      created_at: '2024-05-02T09:30:00Z',
    }),
    ticketFactory({
      ticket_id: `${p}-LOGIN`,
      subject: 'Cannot log in after password reset',
      description: 'The reset link worked, but the new password is rejected every time I try to sign in.',
      status: 'pending',
      priority: 'urgent',
      tags: ['login', 'account'],
      created_at: '2024-05-20T08:00:00Z',
      conversations: [],
    }),
    ticketFactory({
      ticket_id: `${p}-SHIP`,
      subject: 'Package arrived damaged',
      description: 'The box was crushed in transit and the ceramic mug inside is broken.',
      status: 'resolved',
      priority: 'medium',
      tags: ['shipping'],
      created_at: '2024-04-03T12:00:00Z',
      conversations: [],
    }),
    ticketFactory({
      ticket_id: `${p}-INVOICE`,
      subject: 'Need a copy of my March invoice',
      description: 'Our accounting team needs the PDF invoice for the March subscription charge.',
      status: 'closed',
      priority: 'low',
      tags: ['billing', 'invoice'],
      created_at: '2024-03-15T10:00:00Z',
      conversations: [],
    }),
    koreanTicketFactory({
      ticket_id: `${p}-KO-REFUND`,
      status: 'open',
      priority: 'medium',
      created_at: '2024-05-05T01:00:00Z',
    }),
    koreanTicketFactory({
      ticket_id: `${p}-KO-LOGIN`,
      subject: '비밀번호를 재설정한 뒤 로그인이 안 돼요',
      description: '비밀번호 재설정 메일을 받고 새 비밀번호를 만들었는데 로그인하면 계속 오류가 납니다.',
      status: 'open',
      priority: 'urgent',
      tags: ['로그인'],
      created_at: '2024-05-06T01:00:00Z',
      conversations: [],
    }),
    koreanTicketFactory({
      ticket_id: `${p}-KO-DELIVERY`,
      subject: '주문한 상품이 일주일째 배송되지 않아요',
      description: '지난주에 주문했는데 아직 배송 조회가 되지 않고 상품도 도착하지 않았습니다.',
      status: 'pending',
      priority: 'high',
      tags: ['배송'],
      created_at: '2024-05-07T01:00:00Z',
      conversations: [],
    }),
  ];
  const articles = [
    articleFactory({
      article_id: `${p}-KB-REFUND`,
      tags: ['refund', 'billing'],
      updated_at: '2024-04-01T00:00:00Z',
    }),
    articleFactory({
      article_id: `${p}-KB-PASSWORD`,
      title: 'Resetting your password',
      body: 'Use the "Forgot password" link on the sign-in page; the reset link expires after one hour.',
      category: 'account',
      tags: ['login', 'account'],
      updated_at: '2024-04-02T00:00:00Z',
    }),
  ];
  return { tickets, articles };
}

/** An app with companies A and B, each holding its corpus, once indexing has caught up. */
async function seededApp(
  target: Parameters<typeof startTestApp>[0],
  corpora: { a: ReturnType<typeof corpus>; b: ReturnType<typeof corpus> },
  env: Record<string, string> = {},
): Promise<{ t: TestApp; key: string; otherKey: string }> {
  const { a, b } = corpora;
  const t = await startTestApp(target, { RECONCILE_INTERVAL_MS: '600000', ...env });
  const key = await t.createCompany('search-a');
  const otherKey = await t.createCompany('search-b');
  const search = (body: unknown, apiKey: string) =>
    t.request({ method: 'POST', url: '/api/v1/search', key: apiKey, body });
  for (const [apiKey, data] of [
    [key, a],
    [otherKey, b],
  ] as const) {
    expect(
      (
        await t.request({
          method: 'PUT',
          url: '/api/v1/tickets',
          key: apiKey,
          body: { tickets: data.tickets },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.request({
          method: 'PUT',
          url: '/api/v1/articles',
          key: apiKey,
          body: { articles: data.articles },
        })
      ).status,
    ).toBe(200);
  }
  for (const [apiKey, data] of [
    [key, a],
    [otherKey, b],
  ] as const) {
    for (const ticket of data.tickets) {
      await waitFor(async () => {
        const res = await t.request({
          method: 'GET',
          url: `/api/v1/tickets/${ticket.ticket_id}`,
          key: apiKey,
        });
        return res.body.index_state === 'indexed';
      });
    }
    // Articles have no index state to read: wait until search sees them all.
    await waitFor(async () => {
      const res = await search({ query: 'refund password', data_types: ['articles'], limit: 50 }, apiKey);
      return res.status === 200 && res.body.results.length === data.articles.length;
    });
  }
  return { t, key, otherKey };
}

describe.each(dbTargets())('search (%s, local models)', (target) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  const a = corpus('A');
  const b = corpus('B');

  const search = (body: unknown, apiKey: string | null = key) =>
    t.request({ method: 'POST', url: '/api/v1/search', key: apiKey ?? undefined, body });
  const ids = (res: { body: { results: Array<{ id: string }> } }) => res.body.results.map((r) => r.id);

  beforeAll(async () => {
    ({ t, key, otherKey } = await seededApp(target, { a, b }));
  }, 90_000);
  afterAll(() => t.close());

  it('ranks the relevant ticket first for a paraphrased English query', async () => {
    const refund = await search({
      query: 'I sent the jacket back but never got my money',
      data_types: ['tickets'],
    });
    expect(refund.status).toBe(200);
    expect(refund.body.cached).toBe(false);
    expect(refund.body.degraded).toBeUndefined();
    expect(refund.body.results[0]).toMatchObject({
      type: 'ticket',
      id: 'A-REFUND',
      title: 'Refund not received after 10 days',
      status: 'open',
      priority: 'high',
      tags: ['refund', 'billing'],
      created_at: '2024-05-02T09:30:00.000Z',
      score: expect.any(Number),
      summary: expect.any(String),
    });
    expect(refund.body.results[0].summary.length).toBeGreaterThan(10);

    const login = await search({
      query: 'unable to sign in since I changed my password',
      data_types: ['tickets'],
    });
    expect(ids(login)[0]).toBe('A-LOGIN');
    const help = await search({
      query: 'unable to sign in since I changed my password',
      data_types: ['articles'],
    });
    expect(ids(help)[0]).toBe('A-KB-PASSWORD');
  });

  it('ranks the relevant Korean ticket near the top for a paraphrased query with vectors alone (the default)', async () => {
    // SEARCH_HYBRID is off by default (it does not beat vector-only on both eval sets, see README): the hashing
    // embedder puts the right ticket first among tickets for one paraphrase and second for the other.
    const login = await search({ query: '비밀번호 바꾸고 나서 로그인을 못 하고 있어요' });
    expect(login.status).toBe(200);
    expect(login.body.results.filter((r: { type: string }) => r.type === 'ticket')[0].id).toBe('A-KO-LOGIN');
    const delivery = await search({
      query: '상품이 아직 도착하지 않았어요 배송은 언제 되나요',
      data_types: ['tickets'],
    });
    expect(ids(delivery).slice(0, 2)).toContain('A-KO-DELIVERY');
    expect(ids(delivery).every((id) => id.startsWith('A-'))).toBe(true);
  });

  it('applies status, priority, tag and created-range filters', async () => {
    const query = 'customer needs help';
    const byStatus = await search({ query, limit: 50, filters: { status: ['open', 'resolved'] } });
    expect(ids(byStatus).sort()).toEqual(['A-KO-LOGIN', 'A-KO-REFUND', 'A-REFUND', 'A-SHIP']);

    const byPriority = await search({ query, limit: 50, filters: { priority: ['urgent'] } });
    expect(ids(byPriority).sort()).toEqual(['A-KO-LOGIN', 'A-LOGIN']);

    // One value is accepted where an array is expected (what users write for a single status).
    const oneStatus = await search({ query, limit: 50, filters: { status: 'resolved' } });
    expect(oneStatus.status).toBe(200);
    expect(ids(oneStatus).sort()).toEqual(ids(await search({ query, limit: 50, filters: { status: ['resolved'] } })).sort());
    const onePriority = await search({ query, limit: 50, filters: { priority: 'urgent' } });
    expect(ids(onePriority).sort()).toEqual(['A-KO-LOGIN', 'A-LOGIN']);
    const badOne = await search({ query, filters: { status: 'lost' } });
    expect(badOne.status).toBe(400);
    expect(badOne.body.message).toEqual([expect.stringContaining('filters.status')]);

    const byTag = await search({ query, limit: 50, filters: { tags: ['billing'] } });
    expect(ids(byTag).sort()).toEqual(['A-INVOICE', 'A-KB-REFUND', 'A-REFUND']);

    const byRange = await search({
      query,
      limit: 50,
      filters: { created_from: '2024-05-02T09:30:00Z', created_to: '2024-05-06T01:00:00Z' },
    });
    expect(ids(byRange).sort()).toEqual(['A-KO-LOGIN', 'A-KO-REFUND', 'A-REFUND']);

    const combined = await search({
      query: 'refund',
      limit: 50,
      filters: {
        status: ['open'],
        priority: ['high'],
        tags: ['refund'],
        created_from: '2024-05-01T00:00:00+09:00',
      },
    });
    expect(ids(combined)).toEqual(['A-REFUND']);
  });

  it('narrows by data type and respects the limit', async () => {
    const articles = await search({ query: 'refund', data_types: ['articles'] });
    expect(articles.body.results.map((r: { type: string }) => r.type)).toEqual(['article', 'article']);
    expect(ids(articles)[0]).toBe('A-KB-REFUND');

    const tickets = await search({ query: 'refund', data_types: ['tickets', 'tickets'], limit: 50 });
    expect(tickets.body.results).toHaveLength(a.tickets.length);
    expect(tickets.body.results.every((r: { type: string }) => r.type === 'ticket')).toBe(true);

    const both = await search({ query: 'refund', limit: 50 });
    expect(both.body.results).toHaveLength(a.tickets.length + a.articles.length);
    expect(new Set(ids(both)).size).toBe(both.body.results.length);

    expect((await search({ query: 'refund', limit: 2 })).body.results).toHaveLength(2);
    expect((await search({ query: 'refund' })).body.results).toHaveLength(9);
    expect((await search({ query: 'refund', limit: 1 })).body.results).toHaveLength(1);
  });

  it("never returns another company's documents, whatever the query or filter", async () => {
    const queries = [
      ...a.tickets.map((ticket) => ticket.subject),
      ...a.articles.map((article) => article.title),
      'A-REFUND',
      '환불',
    ];
    for (const query of queries) {
      for (const filters of [undefined, { tags: ['refund'] }, { status: ['open'] }]) {
        const res = await search({ query, limit: 50, ...(filters ? { filters } : {}) }, otherKey);
        expect(res.status).toBe(200);
        expect(ids(res).filter((id) => !id.startsWith('B-'))).toEqual([]);
      }
    }
    // Tickets only: across types each type's first hit ties at fused rank 1 (vector-only default).
    const own = await search({ query: 'Package arrived damaged', data_types: ['tickets'] }, otherKey);
    expect(ids(own)[0]).toBe('B-SHIP');
    expect((await search({ query: 'refund', company_id: 'search-a' }, otherKey)).status).toBe(403);
    expect((await search({ query: 'refund', company_id: 'search-b' }, otherKey)).status).toBe(200);
  });

  it('rejects bad input with 400s naming the field, and requires a key', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^query /],
      [{ query: '' }, /^query /],
      [{ query: '   ' }, /^query must not be blank/],
      [{ query: 'x'.repeat(2001) }, /^query /],
      [{ query: 42 }, /^query /],
      [{ query: 'refund', limit: '5' }, /^limit must be a whole number from 1 to 50/],
      [{ query: 'refund', limit: 1.5 }, /^limit must be a whole number from 1 to 50/],
      [{ query: 'refund', limit: 0 }, /^limit must be a whole number from 1 to 50/],
      [{ query: 'refund', limit: 51 }, /^limit must be a whole number from 1 to 50/],
      [{ query: 'refund', data_types: [] }, /^data_types /],
      [{ query: 'refund', data_types: ['emails'] }, /^data_types\[\*\] must be one of: tickets, articles/],
      [{ query: 'refund', data_types: Array(6).fill('tickets') }, /^data_types /],
      [{ query: 'refund', filters: 'open' }, /^filters must be an object/],
      [
        { query: 'refund', filters: { status: ['done'] } },
        /^filters\.status\[\*\] must be one of: open, pending, resolved, closed/,
      ],
      [{ query: 'refund', filters: { status: 7 } }, /^filters\.status /],
      [
        { query: 'refund', filters: { priority: ['p1'] } },
        /^filters\.priority\[\*\] must be one of: low, medium, high, urgent/,
      ],
      [{ query: 'refund', filters: { tags: Array(11).fill('x') } }, /^filters\.tags /],
      [{ query: 'refund', filters: { tags: [''] } }, /^filters\.tags/],
      [
        { query: 'refund', filters: { created_from: 'yesterday' } },
        /^filters\.created_from must be an ISO 8601 date-time/,
      ],
      [{ query: 'refund', filters: { created_to: '2024-05-01' } }, /^filters\.created_to /],
      [
        {
          query: 'refund',
          filters: { created_from: '2024-05-02T00:00:00Z', created_to: '2024-05-01T00:00:00Z' },
        },
        /^filters\.created_to must be on or after created_from/,
      ],
      [{ query: 'refund', filters: { nope: true } }, /^filters\.nope is not an allowed field/],
      [{ query: 'refund', top_k: 3 }, /^top_k is not an allowed field/],
    ];
    for (const [body, field] of cases) {
      const res = await search(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
    }
    expect((await search({ query: 'refund' }, null)).status).toBe(401);
    expect((await search({ query: 'refund' }, 'not-a-real-key')).status).toBe(401);
  });

  it('documents the route in the OpenAPI document', async () => {
    const doc = (await t.request({ method: 'GET', url: '/docs-json' })).body;
    const post = doc.paths['/api/v1/search'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429']));
    expect(doc.components.schemas.SearchRequestDto.required).toEqual(['query']);
    expect(Object.keys(doc.components.schemas.SearchFiltersDto.properties).sort()).toEqual([
      'created_from',
      'created_to',
      'priority',
      'status',
      'tags',
    ]);
    expect(doc.components.schemas.SearchResponseDto.required).toEqual(
      expect.arrayContaining(['results', 'cached']),
    );
  });
});

describe.each(dbTargets())(
  'search with hybrid ranking on (%s, SEARCH_HYBRID=true, equal weights)',
  (target) => {
    let t: TestApp;
    let key: string;
    const ids = (res: { body: { results: Array<{ id: string }> } }) => res.body.results.map((r) => r.id);
    const search = (body: unknown) => t.request({ method: 'POST', url: '/api/v1/search', key, body });

    beforeAll(async () => {
      // Equal list weights and k = 60: the tuned default (0.5, 20) is closer to vector-only and keeps the
      // delivery paraphrase second, like vectors alone.
      ({ t, key } = await seededApp(
        target,
        { a: corpus('A'), b: corpus('B') },
        { SEARCH_HYBRID: 'true', SEARCH_FUSION: 'rrf', SEARCH_RRF_LEXICAL_WEIGHT: '1', SEARCH_RRF_K: '60' },
      ));
    }, 90_000);
    afterAll(() => t.close());

    it('ranks the relevant ticket first for a paraphrased Korean query (keywords fix what vectors rank second)', async () => {
      const login = await search({ query: '비밀번호 바꾸고 나서 로그인을 못 하고 있어요' });
      expect(ids(login)[0]).toBe('A-KO-LOGIN');
      const delivery = await search({
        query: '상품이 아직 도착하지 않았어요 배송은 언제 되나요',
        data_types: ['tickets'],
      });
      expect(ids(delivery)[0]).toBe('A-KO-DELIVERY');
      expect([...ids(login), ...ids(delivery)].every((id) => id.startsWith('A-'))).toBe(true);
    });
  },
);

import { articleFactory, ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';

type Case = [name: string, mutate: Record<string, unknown>, field: RegExp];

const TICKET_CASES: Case[] = [
  ['missing ticket_id', { ticket_id: undefined }, /^tickets\[1\]\.ticket_id /],
  ['empty ticket_id', { ticket_id: '' }, /^tickets\[1\]\.ticket_id /],
  ['ticket_id over 100', { ticket_id: 'x'.repeat(101) }, /^tickets\[1\]\.ticket_id /],
  ['ticket_id not a string', { ticket_id: 42 }, /^tickets\[1\]\.ticket_id /],
  ['missing subject', { subject: undefined }, /^tickets\[1\]\.subject /],
  ['subject over 500', { subject: 's'.repeat(501) }, /^tickets\[1\]\.subject /],
  ['description over 10,000', { description: 'd'.repeat(10_001) }, /^tickets\[1\]\.description /],
  ['description wrong type', { description: ['x'] }, /^tickets\[1\]\.description /],
  ['unknown status', { status: 'done' }, /^tickets\[1\]\.status must be one of/],
  ['unknown priority', { priority: 'critical' }, /^tickets\[1\]\.priority must be one of/],
  ['11 tags', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, /^tickets\[1\]\.tags /],
  ['empty tag', { tags: [''] }, /^tickets\[1\]\.tags\[\*\] /],
  ['tag over 50', { tags: ['x'.repeat(51)] }, /^tickets\[1\]\.tags\[\*\] must be longer/],
  ['tags not an array', { tags: 'a,b' }, /^tickets\[1\]\.tags /],
  ['tag not a string', { tags: [1] }, /^tickets\[1\]\.tags\[\*\] must be a string/],
  ['created_at not a date', { created_at: 'yesterday' }, /^tickets\[1\]\.created_at /],
  ['created_at without time', { created_at: '2024-05-01' }, /^tickets\[1\]\.created_at /],
  ['created_at impossible', { created_at: '2024-02-30T10:00:00Z' }, /^tickets\[1\]\.created_at /],
  ['created_at a number', { created_at: 1714555800 }, /^tickets\[1\]\.created_at /],
  ['updated_at bad', { updated_at: '2024-13-01T00:00:00Z' }, /^tickets\[1\]\.updated_at /],
  ['201 conversations', {
    conversations: Array.from({ length: 201 }, () => ({ from: 'customer', body: 'x', created_at: '2024-05-01T00:00:00Z' })),
  }, /^tickets\[1\]\.conversations /],
  ['conversation from a bot', { conversations: [{ from: 'bot', body: 'x', created_at: '2024-05-01T00:00:00Z' }] }, /^tickets\[1\]\.conversations\[0\]\.from /],
  ['conversation body over 10,000', {
    conversations: [{ from: 'agent', body: 'b'.repeat(10_001), created_at: '2024-05-01T00:00:00Z' }],
  }, /^tickets\[1\]\.conversations\[0\]\.body /],
  ['conversation without created_at', { conversations: [{ from: 'agent', body: 'x' }] }, /^tickets\[1\]\.conversations\[0\]\.created_at /],
  ['conversation item not an object', { conversations: ['hello'] }, /^tickets\[1\]\.conversations/],
  ['unknown field', { sentiment: 'angry' }, /^tickets\[1\]\.sentiment is not an allowed field/],
  ['company_id inside a ticket', { company_id: 'x' }, /^tickets\[1\]\.company_id is not an allowed field/],
];

const ARTICLE_CASES: Case[] = [
  ['missing article_id', { article_id: undefined }, /^articles\[0\]\.article_id /],
  ['article_id over 100', { article_id: 'a'.repeat(101) }, /^articles\[0\]\.article_id /],
  ['title over 500', { title: 't'.repeat(501) }, /^articles\[0\]\.title /],
  ['missing title', { title: undefined }, /^articles\[0\]\.title /],
  ['body over 50,000', { body: 'b'.repeat(50_001) }, /^articles\[0\]\.body /],
  ['body not a string', { body: { html: 'x' } }, /^articles\[0\]\.body /],
  ['category over 100', { category: 'c'.repeat(101) }, /^articles\[0\]\.category /],
  ['11 tags', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, /^articles\[0\]\.tags /],
  ['updated_at bad', { updated_at: 'soon' }, /^articles\[0\]\.updated_at /],
  ['unknown field', { author: 'me' }, /^articles\[0\]\.author is not an allowed field/],
];

describe.each(dbTargets())('bad input is a 4xx naming the field, and stores nothing (%s)', (target) => {
  let t: TestApp;
  let key: string;
  const stored = ticketFactory({ ticket_id: 'KEEP-1', subject: 'Original subject' });

  beforeAll(async () => {
    t = await startTestApp(target, { BODY_LIMIT_BYTES: String(2 * 1024 * 1024) });
    key = await t.createCompany('acme');
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [stored] } });
  });
  afterAll(() => t.close());

  async function expectStoredUnchanged(): Promise<void> {
    const res = await t.request({ method: 'GET', url: '/api/v1/tickets?limit=200', key });
    expect(res.body.items.map((i: { ticket_id: string }) => i.ticket_id)).toEqual(['KEEP-1']);
    expect(res.body.items[0].subject).toBe('Original subject');
  }

  it.each(TICKET_CASES)('ticket: %s', async (_name, mutate, field) => {
    // The good first ticket changes the stored one: a failing request must not apply it either.
    const good = { ...stored, subject: 'Changed by a rejected request' };
    const bad: Record<string, unknown> = { ...ticketFactory({ ticket_id: 'NEW-1' }), ...mutate };
    for (const k of Object.keys(bad)) if (bad[k] === undefined) delete bad[k];
    const res = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [good, bad] } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
    await expectStoredUnchanged();
  });

  it.each(ARTICLE_CASES)('article: %s', async (_name, mutate, field) => {
    const bad: Record<string, unknown> = { ...articleFactory(), ...mutate };
    for (const k of Object.keys(bad)) if (bad[k] === undefined) delete bad[k];
    const res = await t.request({ method: 'PUT', url: '/api/v1/articles', key, body: { articles: [bad] } });
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
  });

  it('rejects wrong envelopes: missing list, not a list, empty, over 1,000, duplicates', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^tickets /],
      [{ tickets: {} }, /^tickets /],
      [{ tickets: [] }, /^tickets /],
      [{ tickets: Array.from({ length: 1001 }, (_, i) => ticketFactory({ ticket_id: `X-${i}` })) }, /^tickets must contain no more than 1000/],
      [{ tickets: [ticketFactory({ ticket_id: 'D' }), ticketFactory({ ticket_id: 'D' })] }, /^tickets\[1\]\.ticket_id duplicates tickets\[0\]/],
      [{ tickets: [stored], extra: true }, /^extra is not an allowed field/],
      [[stored], /tickets/],
    ];
    for (const [body, field] of cases) {
      const res = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body });
      expect(res.status).toBe(400);
      expect([res.body.message].flat()).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
    }
    await expectStoredUnchanged();
  });

  it('answers 413 for an oversized body and 400 for malformed JSON', async () => {
    const huge = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/tickets',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ tickets: [{ ...stored, description: 'x'.repeat(3 * 1024 * 1024) }] }),
    });
    expect(huge.statusCode).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ statusCode: 413, error: 'Payload Too Large', message: expect.stringMatching(/^body/) });
    const malformed = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/tickets',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: '{"tickets": [',
    });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).message).toMatch(/^body/);
    await expectStoredUnchanged();
  });

  it('rejects bad list queries: limits, cursors, dates, statuses, unknown params', async () => {
    const cases: Array<[string, RegExp]> = [
      ['limit=0', /^limit /],
      ['limit=201', /^limit /],
      ['limit=-5', /^limit /],
      ['limit=abc', /^limit /],
      ['limit=1.5', /^limit /],
      ['cursor=not-a-cursor!', /^cursor /],
      [`cursor=${Buffer.from('["2024-01-01T00:00:00Z"]').toString('base64url')}`, /^cursor /],
      ['cursor=' + 'a'.repeat(700), /^cursor /],
      ['updated_since=yesterday', /^updated_since /],
      ['updated_since=2024-01-01', /^updated_since /],
      ['status=done', /^status must be one of/],
      ['sort=desc', /^sort is not an allowed field/],
    ];
    for (const [query, field] of cases) {
      const res = await t.request({ method: 'GET', url: `/api/v1/tickets?${query}`, key });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect([res.body.message].flat()).toEqual(expect.arrayContaining([expect.stringMatching(field)]));
    }
  });

  it('rejects an over-long ticket id in the path with 400', async () => {
    const res = await t.request({ method: 'GET', url: `/api/v1/tickets/${'x'.repeat(101)}`, key });
    expect(res.status).toBe(400);
    expect(res.body.message[0]).toMatch(/^ticket_id /);
  });

  it('answers 400 naming the field for NUL characters and for absurdly deep JSON, on every route kind', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 1_000; i++) deep = { a: deep };
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['PUT', '/api/v1/tickets', { tickets: [{ ...stored, subject: 'a\u0000b' }] }, /^tickets\[0\]\.subject must not contain NUL/],
      ['PUT', '/api/v1/tickets', { tickets: [{ ...stored, subject: deep }] }, /^tickets\[0\]\.subject(\.a)+ is nested deeper/],
      ['POST', '/api/v1/search', { query: 'refund', data_types: deep }, /^data_types(\.a)+ is nested deeper/],
      ['POST', '/api/v1/init', { ticket_id: 'T-\u0000' }, /^ticket_id must not contain NUL/],
    ];
    for (const [method, url, body, message] of cases) {
      const res = await t.request({ method: method as 'PUT' | 'POST', url, key, body });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect([res.body.message].flat()).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    }
    await expectStoredUnchanged();
  });

  it('answers 400 for JSON nested 100,000 deep on a cached route (the cache key is never built from it)', async () => {
    const depth = 100_000;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/search',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: `{"query":"refund","data_types":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).message[0]).toMatch(/^data_types(\[0\])+ is nested deeper than/);
  });
});

import { articleFactory, koreanTicketFactory, ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';

describe.each(dbTargets())('tickets and articles (%s)', (target) => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp(target);
    key = await t.createCompany('acme');
  });
  afterAll(() => t.close());

  it('upserts tickets, counts unchanged ones and marks changed ones pending', async () => {
    const a = ticketFactory({ ticket_id: 'A-1' });
    const b = koreanTicketFactory({ ticket_id: 'A-2' });
    const first = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [a, b] } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ upserted: 2, unchanged: 0 });

    const again = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [a, b] } });
    expect(again.body).toEqual({ upserted: 0, unchanged: 2 });

    const changed = await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key,
      body: { tickets: [{ ...a, status: 'resolved', updated_at: '2024-05-02T00:00:00Z' }, b] },
    });
    expect(changed.body).toEqual({ upserted: 1, unchanged: 1 });

    const got = await t.request({ method: 'GET', url: '/api/v1/tickets/A-1', key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      ticket_id: 'A-1',
      status: 'resolved',
      priority: 'high',
      updated_at: '2024-05-02T00:00:00.000Z',
      created_at: '2024-05-01T09:30:00.000Z',
      // The change is queued for re-indexing; a summary of the previous version (if the background job got to it
      // first) stays visible until the new one replaces it.
      index_state: 'pending',
    });
    expect(got.body.conversations).toHaveLength(2);

    const korean = await t.request({ method: 'GET', url: '/api/v1/tickets/A-2', key });
    expect(korean.body.subject).toBe('환불이 아직 처리되지 않았어요');
    expect(korean.body.tags).toEqual(['환불']);
  });

  it('applies defaults: priority medium, updated_at = created_at, empty tags', async () => {
    const res = await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key,
      body: { tickets: [{ ticket_id: 'D-1', subject: 'Login fails', status: 'open', created_at: '2024-06-01T08:00:00+02:00' }] },
    });
    expect(res.body).toEqual({ upserted: 1, unchanged: 0 });
    const got = await t.request({ method: 'GET', url: '/api/v1/tickets/D-1', key });
    expect(got.body).toMatchObject({
      priority: 'medium',
      tags: [],
      created_at: '2024-06-01T06:00:00.000Z',
      updated_at: '2024-06-01T06:00:00.000Z',
    });
    expect(got.body.description).toBeUndefined();
  });

  it('pages through every ticket exactly once with cursors, in updated_at order', async () => {
    const tickets = Array.from({ length: 25 }, (_, i) =>
      ticketFactory({
        ticket_id: `P-${String(i).padStart(2, '0')}`,
        // Several tickets share a timestamp: the cursor must break ties by id.
        updated_at: `2025-01-0${1 + Math.floor(i / 5)}T00:00:00Z`,
        status: i % 2 === 0 ? 'open' : 'closed',
      }),
    );
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/v1/tickets?limit=7&updated_since=2025-01-01T00:00:00Z${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.request({ method: 'GET', url, key });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { ticket_id: string }) => i.ticket_id));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(tickets.map((x) => x.ticket_id));

    const closed = await t.request({ method: 'GET', url: '/api/v1/tickets?status=closed&limit=200', key });
    const closedIds = closed.body.items.map((i: { ticket_id: string }) => i.ticket_id);
    expect(closedIds).toEqual(tickets.filter((x) => x.status === 'closed').map((x) => x.ticket_id));
    expect(closed.body.next_cursor).toBeNull();
  });

  it('returns 404 for an unknown ticket', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/tickets/nope', key });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: "ticket 'nope' not found" });
    expect(res.body.request_id).toEqual(res.headers['x-request-id']);
  });

  it('upserts articles with unchanged detection', async () => {
    const articles = [articleFactory({ article_id: 'KB-1' }), articleFactory({ article_id: 'KB-2', title: '환불 안내' })];
    expect((await t.request({ method: 'PUT', url: '/api/v1/articles', key, body: { articles } })).body).toEqual({
      upserted: 2,
      unchanged: 0,
    });
    const second = await t.request({
      method: 'PUT',
      url: '/api/v1/articles',
      key,
      body: { articles: [articles[0], { ...articles[1], body: 'updated', updated_at: '2024-04-02T00:00:00Z' }] },
    });
    expect(second.body).toEqual({ upserted: 1, unchanged: 1 });
  });

  it('stores a 1,000-ticket request in one go', async () => {
    const tickets = Array.from({ length: 1000 }, (_, i) => ticketFactory({ ticket_id: `BULK-${i}` }));
    const res = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    expect(res.body).toEqual({ upserted: 1000, unchanged: 0 });
    const again = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    expect(again.body).toEqual({ upserted: 0, unchanged: 1000 });
  });
});

describe.each(dbTargets())('ticket export (%s)', (target) => {
  let t: TestApp;
  afterAll(() => t.close());

  it('streams every ticket of the company, and only its own, as NDJSON', async () => {
    t = await startTestApp(target);
    const keyA = await t.createCompany('export-a');
    const keyB = await t.createCompany('export-b');
    const tickets = Array.from({ length: 1203 }, (_, i) => ticketFactory({ ticket_id: `E-${i}`, conversations: undefined }));
    for (let i = 0; i < tickets.length; i += 1000) {
      await t.request({ method: 'PUT', url: '/api/v1/tickets', key: keyA, body: { tickets: tickets.slice(i, i + 1000) } });
    }
    await t.request({ method: 'PUT', url: '/api/v1/tickets', key: keyB, body: { tickets: [ticketFactory({ ticket_id: 'B-ONLY' })] } });

    const res = await t.app.inject({ method: 'GET', url: '/api/v1/tickets/export', headers: { authorization: `Bearer ${keyA}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1203);
    expect(new Set(lines.map((l) => l.ticket_id)).size).toBe(1203);
    expect(lines.some((l) => l.ticket_id === 'B-ONLY')).toBe(false);
    expect(lines[0]).toHaveProperty('summary');
    expect(lines[0]).toHaveProperty('index_state');

    const b = await t.app.inject({ method: 'GET', url: '/api/v1/tickets/export', headers: { authorization: `Bearer ${keyB}` } });
    expect(b.body.trimEnd().split('\n').map((l) => JSON.parse(l).ticket_id)).toEqual(['B-ONLY']);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets/export' })).statusCode).toBe(401);
  });
});

import { articleFactory, koreanTicketFactory, ticketFactory } from '../factories/ticket.factory';
import { waitFor } from '../support/wait-for';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

type Line = Record<string, any> & { type: string };

/**
 * The company export in both modes (embedded: SQLite; services: PostgreSQL and Redis when the environment names
 * them): everything written comes back once with its fields, nothing of another company, nothing deleted.
 */
describe.each(dbTargets())('company export (%s)', (target) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;

  // Past two pages of 500 (the keyset resumes twice), in English and Korean, with and without optional fields.
  const tickets = Array.from({ length: 1_107 }, (_, i) =>
    (i % 3 === 0 ? koreanTicketFactory : ticketFactory)({
      ticket_id: `X-${String(i).padStart(5, '0')}`,
      subject: `Subject ${i} "quoted" \\ and a line\nbreak`,
      status: (['open', 'pending', 'resolved', 'closed'] as const)[i % 4],
      priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4],
      tags: i % 5 === 0 ? [] : [`tag-${i % 7}`, '환불'],
      created_at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      updated_at: new Date(Date.UTC(2024, 2, 1) + i * 60_000).toISOString(),
      ...(i % 2 === 0 ? { description: undefined, conversations: undefined } : {}),
    }),
  );
  const articles = Array.from({ length: 12 }, (_, i) =>
    articleFactory({ article_id: `A-${i}`, title: `Article ${i}` }),
  );

  const exportOf = async (companyId: string, apiKey = TEST_ADMIN_KEY) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/admin/companies/${companyId}/export`,
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const lines =
      res.statusCode === 200
        ? res.body
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line) as Line)
        : [];
    return { res, lines };
  };

  beforeAll(async () => {
    t = await startTestApp(target);
    key = await t.createCompany('exp-a');
    otherKey = await t.createCompany('exp-b');
    for (let i = 0; i < tickets.length; i += 1_000) {
      const res = await t.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key,
        body: { tickets: tickets.slice(i, i + 1_000) },
      });
      expect(res.status).toBe(200);
    }
    expect(
      (await t.request({ method: 'PUT', url: '/api/v1/articles', key, body: { articles } })).status,
    ).toBe(200);
    // Same ids in the other company, different content: nothing of it may appear.
    const others = [
      ticketFactory({ ticket_id: 'X-00001', subject: 'OTHER COMPANY' }),
      ticketFactory({ ticket_id: 'B-ONLY' }),
    ];
    expect(
      (await t.request({ method: 'PUT', url: '/api/v1/tickets', key: otherKey, body: { tickets: others } }))
        .status,
    ).toBe(200);
    expect(
      (
        await t.request({
          method: 'PUT',
          url: '/api/v1/articles',
          key: otherKey,
          body: { articles: [articleFactory({ article_id: 'B-ART', title: 'OTHER COMPANY' })] },
        })
      ).status,
    ).toBe(200);
    expect((await t.request({ method: 'DELETE', url: '/api/v1/tickets/X-00004', key })).status).toBe(204);
    // Summaries are written by indexing: wait until every ticket has one.
    await waitFor(async () => {
      await new Promise((r) => setTimeout(r, 500));
      const { lines } = await exportOf('exp-a');
      return lines.filter((l) => l.type === 'ticket' && l.index_state !== 'indexed').length === 0;
    }, 170_000);
  }, 180_000);
  afterAll(() => t?.close());

  it('streams NDJSON: the company line first, the end line last with the counts of every type', async () => {
    const { res, lines } = await exportOf('exp-a');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(lines[0]).toMatchObject({
      type: 'company',
      company_id: 'exp-a',
      name: 'Company exp-a',
      retention: { tickets_days: null, sessions_hours: null },
    });
    const end = lines[lines.length - 1];
    expect(end.type).toBe('end');
    expect(lines.filter((l) => l.type === 'end')).toHaveLength(1);
    const counted: Record<string, number> = {};
    for (const line of lines.slice(0, -1)) counted[line.type] = (counted[line.type] ?? 0) + 1;
    expect(end.counts).toEqual(counted);
    expect(end.counts).toMatchObject({
      company: 1,
      api_key: 1,
      ticket: tickets.length - 1,
      article: articles.length,
    });
    expect(end.stores).toEqual(
      expect.arrayContaining(['company', 'tickets', 'articles', 'summaries', 'usage']),
    );
    // Sections in order: company, keys, tickets, articles, summaries, ..., usage.
    const firstOf = (type: string) => lines.findIndex((l) => l.type === type);
    const lastOf = (type: string) => lines.map((l) => l.type).lastIndexOf(type);
    expect(lastOf('api_key')).toBeLessThan(firstOf('ticket'));
    expect(lastOf('ticket')).toBeLessThan(firstOf('article'));
    expect(lastOf('article')).toBeLessThan(firstOf('summary'));
    expect(lastOf('summary')).toBeLessThan(firstOf('usage'));
    expect(lines.find((l) => l.type === 'api_key')).not.toHaveProperty('hash');
  });

  it('round-trips every ticket written exactly once with its fields; a ticket deleted before does not appear', async () => {
    const { lines } = await exportOf('exp-a');
    const exported = lines.filter((l) => l.type === 'ticket');
    const ids = exported.map((l) => l.ticket_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('X-00004');
    const byId = new Map(exported.map((l) => [l.ticket_id as string, l]));
    for (const written of tickets) {
      if (written.ticket_id === 'X-00004') continue;
      const line = byId.get(written.ticket_id);
      expect(line).toBeDefined();
      expect(line).toEqual({
        type: 'ticket',
        ticket_id: written.ticket_id,
        subject: written.subject,
        description: written.description ?? null,
        status: written.status,
        priority: written.priority,
        tags: written.tags,
        conversations: written.conversations
          ? written.conversations.map((m) => ({ ...m, created_at: new Date(m.created_at).toISOString() }))
          : null,
        created_at: written.created_at,
        updated_at: written.updated_at,
        index_state: 'indexed',
      });
    }
    const exportedArticles = new Map(lines.filter((l) => l.type === 'article').map((l) => [l.article_id, l]));
    for (const written of articles) {
      expect(exportedArticles.get(written.article_id)).toMatchObject({
        title: written.title,
        body: written.body,
        category: written.category,
        tags: written.tags,
        updated_at: new Date(written.updated_at).toISOString(),
      });
    }
  });

  it('exports each stored summary once, as stored', async () => {
    const { lines } = await exportOf('exp-a');
    const summaries = lines.filter((l) => l.type === 'summary' && l.of === 'ticket');
    expect(new Set(summaries.map((s) => s.id)).size).toBe(summaries.length);
    expect(summaries.map((s) => s.id)).not.toContain('X-00004');
    for (const id of ['X-00000', 'X-00001', 'X-01106']) {
      const view = await t.request({ method: 'GET', url: `/api/v1/tickets/${id}`, key });
      expect(summaries.find((s) => s.id === id)).toMatchObject({
        summary: view.body.summary,
        summary_source: view.body.summary_source,
        indexed_at: view.body.indexed_at,
      });
    }
  });

  it('never contains anything of another company', async () => {
    const { lines } = await exportOf('exp-a');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('OTHER COMPANY');
    expect(text).not.toContain('B-ONLY');
    expect(text).not.toContain('B-ART');
    expect(text).not.toContain('exp-b');
    const other = await exportOf('exp-b');
    expect(
      other.lines
        .filter((l) => l.type === 'ticket')
        .map((l) => l.ticket_id)
        .sort(),
    ).toEqual(['B-ONLY', 'X-00001']);
    expect(other.lines.find((l) => l.ticket_id === 'X-00001')?.subject).toBe('OTHER COMPANY');
    expect(other.lines.filter((l) => l.type === 'article').map((l) => l.article_id)).toEqual(['B-ART']);
  });

  it('answers 404 for an unknown company, 400 for a malformed id, and refuses a company key', async () => {
    const unknown = await exportOf('no-such-company');
    expect(unknown.res.statusCode).toBe(404);
    expect(JSON.parse(unknown.res.body)).toMatchObject({
      statusCode: 404,
      message: "company 'no-such-company' not found",
    });
    expect((await exportOf('Bad Id!')).res.statusCode).toBe(400);
    expect((await exportOf('exp-a', key)).res.statusCode).toBe(403);
  });

  it('is written to the audit log (company.exported) with the acting admin key', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/v1/admin/audit?company_id=exp-a&action=company.exported',
      key: TEST_ADMIN_KEY,
    });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items[0]).toMatchObject({
      action: 'company.exported',
      company_id: 'exp-a',
      target: 'company/exp-a',
      actor_key_id: expect.stringMatching(/^admin:/),
    });
  });
});

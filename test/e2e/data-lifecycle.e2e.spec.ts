import { DataSource } from 'typeorm';
import { DeletedItemEntity, TicketEntity } from '../../src/database/entities';
import { LexicalIndex } from '../../src/modules/search/ports/lexical-index.port';
import { VectorIndex } from '../../src/modules/search/ports/vector-index.port';
import { ReconcilerService } from '../../src/modules/ingest/reconciler.service';
import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { articleFactory, ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const REFUND = 'Refund not received after 10 days';

/**
 * Deleting tickets and articles in both modes (embedded: SQLite, in-process queue; services: PostgreSQL,
 * Redis, Bull when the environment names them). A deleted item is gone from reads at once, never searched,
 * never grounds /init, /query or /reply, and its index entries are removed by the worker.
 */
describe.each(dbTargets())('deleting tickets and articles (%s)', (target) => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  let vectors: VectorIndex;
  let lexical: LexicalIndex;

  const tickets = [
    ticketFactory({ ticket_id: 'DEL-1', subject: REFUND, status: 'resolved' }),
    ticketFactory({
      ticket_id: 'DEL-2',
      subject: 'Refund still missing for my returned jacket',
      status: 'resolved',
    }),
    ticketFactory({ ticket_id: 'KEEP-1', subject: 'Refund of a cancelled order', status: 'resolved' }),
    ticketFactory({ ticket_id: 'ASK', subject: 'Where is my refund?', status: 'open', conversations: [] }),
  ];
  const articles = [articleFactory({ article_id: 'KB-DEL', title: 'How refunds work' })];

  const put = (apiKey: string, body: { tickets?: unknown[]; articles?: unknown[] }) =>
    t.request({
      method: 'PUT',
      url: body.tickets ? '/api/v1/tickets' : '/api/v1/articles',
      key: apiKey,
      body,
    });
  const searchIds = async (apiKey: string, query = 'refund jacket', extra: Record<string, string> = {}) => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/search',
      key: apiKey,
      body: { query, data_types: ['tickets', 'articles'], limit: 50 },
      headers: extra,
    });
    expect(res.status).toBe(200);
    return (res.body.results as Array<{ id: string }>).map((r) => r.id);
  };
  const vectorCount = (companyId: string, type: 'ticket' | 'article') => vectors.count({ companyId, type });
  const lexicalIds = async (companyId: string, type: 'ticket' | 'article') =>
    (await lexical.search({ companyId, type, query: 'refund jacket cancelled order', k: 100 })).map(
      (h) => h.id,
    );
  const allIndexed = async (apiKey: string, ids: string[]) => {
    for (const id of ids) {
      await waitFor(
        async () => {
          const res = await t.request({ method: 'GET', url: `/api/v1/tickets/${id}`, key: apiKey });
          return res.body?.index_state === 'indexed';
        },
        60_000,
        `${id} indexed`,
      );
    }
  };
  const tombstones = async (companyId: string) =>
    Number(
      (
        await t.app
          .get(DataSource)
          .query(
            `SELECT count(*) AS n FROM deleted_item WHERE company_id = '${companyId}' AND purged_at IS NULL`,
          )
      )[0].n,
    );

  beforeAll(async () => {
    // The reconciler runs only when a test calls it.
    t = await startTestApp(target, {
      RECONCILE_INTERVAL_MS: '600000',
      DELETION_GRACE_MS: '600000',
      // The admin invalidation answers 503 when its generation bump does not land within the state timeout (500 ms
      // by default) or the cache breaker is open (5 lookups in a row past 50 ms): a loaded CI worker's full GCs did
      // both (the audit case's invalidation answered 503 in CI twice). Nothing here tests cache timeouts.
      CACHE_STATE_TIMEOUT_MS: '3000',
      CACHE_OP_TIMEOUT_MS: '1000',
    });
    key = await t.createCompany('del-a');
    otherKey = await t.createCompany('del-b');
    vectors = t.app.get(VectorIndex);
    lexical = t.app.get(LexicalIndex);
    for (const apiKey of [key, otherKey]) {
      expect((await put(apiKey, { tickets })).status).toBe(200);
      expect((await put(apiKey, { articles })).status).toBe(200);
    }
    for (const apiKey of [key, otherKey])
      await allIndexed(
        apiKey,
        tickets.map((x) => x.ticket_id),
      );
    for (const apiKey of [key, otherKey]) {
      await waitFor(async () => (await searchIds(apiKey)).includes('KB-DEL'), 60_000, 'article searchable');
    }
  }, 180_000);
  afterAll(() => t?.close());

  it('deletes one ticket: 204, then 404 on read and on a second delete; gone from search at once and from the indexes', async () => {
    // Cached before the delete: the cached result must not be served afterwards.
    expect(await searchIds(key)).toContain('DEL-1');
    const res = await t.request({ method: 'DELETE', url: '/api/v1/tickets/DEL-1', key });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/DEL-1', key })).status).toBe(404);
    expect((await t.request({ method: 'DELETE', url: '/api/v1/tickets/DEL-1', key })).status).toBe(404);
    expect(await searchIds(key)).not.toContain('DEL-1');
    await waitFor(async () => (await tombstones('del-a')) === 0, 30_000, 'purged');
    expect(await vectorCount('del-a', 'ticket')).toBe(3);
    expect(await lexicalIds('del-a', 'ticket')).not.toContain('DEL-1');
    // The other company's ticket of the same id is untouched.
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/DEL-1', key: otherKey })).status).toBe(
      200,
    );
    expect(await searchIds(otherKey)).toContain('DEL-1');
    expect(await vectorCount('del-b', 'ticket')).toBe(4);
  });

  it('bulk-deletes: counts what it deleted and names what it did not find', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/tickets/delete',
      key,
      body: { ticket_ids: ['DEL-2', 'NOPE', 'DEL-1'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 1, not_found: ['NOPE', 'DEL-1'] });
    expect(await searchIds(key)).not.toContain('DEL-2');
    await waitFor(async () => (await tombstones('del-a')) === 0, 30_000, 'purged');
    expect(await vectorCount('del-a', 'ticket')).toBe(2);
  });

  it('deletes an article: 204, gone from search and its vector removed; 404 when absent', async () => {
    expect((await t.request({ method: 'DELETE', url: '/api/v1/articles/KB-DEL', key })).status).toBe(204);
    expect((await t.request({ method: 'DELETE', url: '/api/v1/articles/KB-DEL', key })).status).toBe(404);
    expect(await searchIds(key)).not.toContain('KB-DEL');
    await waitFor(
      async () => (await vectorCount('del-a', 'article')) === 0,
      30_000,
      'article vector removed',
    );
    expect(await vectorCount('del-b', 'article')).toBe(1);
  });

  it('never grounds /init, /query or /reply on a deleted ticket', async () => {
    // In the other company the same corpus still grounds on DEL-1 and DEL-2: the routes do cite them.
    const otherInit = await t.request({
      method: 'POST',
      url: '/api/v1/init',
      key: otherKey,
      body: { ticket_id: 'ASK' },
    });
    expect(otherInit.status).toBe(200);
    const citedByOther = otherInit.body.similar_tickets.map((s: { ticket_id: string }) => s.ticket_id);
    expect(citedByOther.some((id: string) => id.startsWith('DEL-'))).toBe(true);

    const init = await t.request({ method: 'POST', url: '/api/v1/init', key, body: { ticket_id: 'ASK' } });
    expect(init.status).toBe(200);
    const similar = init.body.similar_tickets.map((s: { ticket_id: string }) => s.ticket_id);
    expect(similar).not.toContain('DEL-1');
    expect(similar).not.toContain('DEL-2');
    expect(init.body.kb_articles.map((a: { article_id: string }) => a.article_id)).not.toContain('KB-DEL');
    expect(
      (await t.request({ method: 'POST', url: '/api/v1/init', key, body: { ticket_id: 'DEL-1' } })).status,
    ).toBe(404);

    const query = await t.request({
      method: 'POST',
      url: '/api/v1/query',
      key,
      body: { query: 'refund jacket', session_id: init.body.session_id },
    });
    expect(query.status).toBe(200);
    const queried = query.body.sources.map((s: { id: string }) => s.id);
    for (const id of ['DEL-1', 'DEL-2', 'KB-DEL']) expect(queried).not.toContain(id);

    const reply = await t.request({ method: 'POST', url: '/api/v1/reply', key, body: { ticket_id: 'ASK' } });
    expect(reply.status).toBe(200);
    const replied = reply.body.sources.map((s: { id: string }) => s.id);
    for (const id of ['DEL-1', 'DEL-2', 'KB-DEL']) expect(replied).not.toContain(id);
    expect(
      (await t.request({ method: 'POST', url: '/api/v1/reply', key, body: { ticket_id: 'DEL-2' } })).status,
    ).toBe(404);
  });

  it('recreates a deleted ticket on a later upsert: indexed and searchable again', async () => {
    expect((await put(key, { tickets: [tickets[0]] })).body).toEqual({ upserted: 1, unchanged: 0 });
    await allIndexed(key, ['DEL-1']);
    await waitFor(
      async () => (await searchIds(key)).includes('DEL-1'),
      30_000,
      'recreated ticket searchable',
    );
    expect(await vectorCount('del-a', 'ticket')).toBe(3);
  });

  it('leaves no searchable orphan when the purge never ran (queue lost): the reconciler removes the entries', async () => {
    // The tombstone is written with the delete; its purge job is lost here by deleting straight in the database.
    const db = t.app.get(DataSource);
    const ticketsBefore = await vectorCount('del-a', 'ticket');
    await db.getRepository(TicketEntity).delete({ companyId: 'del-a', ticketId: 'DEL-1' });
    await db.getRepository(DeletedItemEntity).insert({
      companyId: 'del-a',
      type: 'tickets',
      itemId: 'DEL-1',
      deletedAt: new Date(),
      purgedAt: null,
    });
    // Never searchable in between, even though its entries are still in both indexes.
    expect(await vectorCount('del-a', 'ticket')).toBe(ticketsBefore);
    expect(await searchIds(key, 'refund jacket', { 'cache-control': 'no-cache' })).not.toContain('DEL-1');
    expect(await t.app.get(ReconcilerService).reconcile()).toBeGreaterThan(0);
    await waitFor(async () => (await tombstones('del-a')) === 0, 30_000, 'purged by the reconciler');
    expect(await vectorCount('del-a', 'ticket')).toBe(ticketsBefore - 1);
    expect(await lexicalIds('del-a', 'ticket')).not.toContain('DEL-1');
  });

  it('lets a delete racing an in-flight indexing job win: no vector or keyword entry of a deleted ticket is left', async () => {
    const batch = Array.from({ length: 300 }, (_, i) =>
      ticketFactory({ ticket_id: `RACE-${i}`, subject: `Refund request number ${i}`, conversations: [] }),
    );
    const before = await vectorCount('del-a', 'ticket');
    expect((await put(key, { tickets: batch })).status).toBe(200);
    // Deleted while the indexing job of the same tickets is queued or running.
    const doomed = batch.filter((_, i) => i % 2 === 0).map((x) => x.ticket_id);
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/tickets/delete',
      key,
      body: { ticket_ids: doomed },
    });
    expect(res.body).toEqual({ deleted: 150, not_found: [] });
    await allIndexed(
      key,
      batch.filter((_, i) => i % 2 === 1).map((x) => x.ticket_id),
    );
    await waitFor(async () => (await tombstones('del-a')) === 0, 60_000, 'purged');
    await waitFor(
      async () => (await vectorCount('del-a', 'ticket')) === before + 150,
      60_000,
      'one vector per kept ticket',
    );
    const searched = await searchIds(key, 'refund request number', { 'cache-control': 'no-cache' });
    expect(searched.filter((id) => doomed.includes(id))).toEqual([]);
  }, 120_000);

  it('records admin actions in the audit log, newest first, with cursor pagination', async () => {
    // One services-mode CI run answered 503 to the cache invalidation below. Suspected: the /init bundles of
    // the tickets indexed above, built on the local models in this process, delayed the generation bump past
    // its 500 ms store deadline (a 503 by design). This case is about the audit log, so it starts when they are done.
    await t.app.get(TicketPrefetchListener).whenIdle();
    const issued = await t.request({
      method: 'POST',
      url: '/api/v1/admin/companies/del-a/api-keys',
      key: TEST_ADMIN_KEY,
    });
    expect(issued.status).toBe(201);
    const keyId = issued.body.key_id as string;
    expect(
      (
        await t.request({
          method: 'DELETE',
          url: `/api/v1/admin/companies/del-a/api-keys/${keyId}`,
          key: TEST_ADMIN_KEY,
        })
      ).status,
    ).toBe(200);
    expect(
      (await t.request({ method: 'DELETE', url: '/api/v1/admin/cache/del-a', key: TEST_ADMIN_KEY })).status,
    ).toBe(200);

    const first = await t.request({
      method: 'GET',
      url: '/api/v1/admin/audit?company_id=del-a&limit=2',
      key: TEST_ADMIN_KEY,
    });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { action: string }) => e.action)).toEqual([
      'cache.invalidated',
      'api_key.revoked',
    ]);
    expect(first.body.items[1]).toMatchObject({
      target: `api_key/${keyId}`,
      company_id: 'del-a',
      actor_key_id: expect.stringMatching(/^admin:[0-9a-f]{12}$/),
      at: expect.stringMatching(/Z$/),
    });
    expect(JSON.stringify(first.body)).not.toContain(TEST_ADMIN_KEY);
    const second = await t.request({
      method: 'GET',
      url: `/api/v1/admin/audit?company_id=del-a&limit=2&cursor=${first.body.next_cursor}`,
      key: TEST_ADMIN_KEY,
    });
    expect(second.body.items.map((e: { action: string }) => e.action)).toEqual([
      'api_key.issued',
      'company.created',
    ]);
    expect(second.body.next_cursor).toBeNull();

    const bad = await t.request({
      method: 'GET',
      url: '/api/v1/admin/audit?limit=0&cursor=x!',
      key: TEST_ADMIN_KEY,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toContain('limit');
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/admin/audit?cursor=abc', key: TEST_ADMIN_KEY })).status,
    ).toBe(400);
    expect((await t.request({ method: 'GET', url: '/api/v1/admin/audit', key })).status).toBe(403);
  });

  it('rejects bad input with 400 naming the field, and is scoped by the key', async () => {
    const empty = await t.request({
      method: 'POST',
      url: '/api/v1/tickets/delete',
      key,
      body: { ticket_ids: [] },
    });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body.message)).toContain('ticket_ids');
    const tooMany = await t.request({
      method: 'POST',
      url: '/api/v1/tickets/delete',
      key,
      body: { ticket_ids: Array.from({ length: 1001 }, (_, i) => `X-${i}`) },
    });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body.message)).toContain('ticket_ids');
    const long = await t.request({ method: 'DELETE', url: `/api/v1/tickets/${'x'.repeat(101)}`, key });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body.message)).toContain('ticket_id');
    expect((await t.request({ method: 'DELETE', url: '/api/v1/tickets/KEEP-1' })).status).toBe(401);
    const claimed = await t.request({
      method: 'POST',
      url: '/api/v1/tickets/delete',
      key,
      body: { company_id: 'del-b', ticket_ids: ['KEEP-1'] },
    });
    expect(claimed.status).toBe(403);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/KEEP-1', key: otherKey })).status).toBe(
      200,
    );
  });

  it('documents the delete routes in the OpenAPI document', async () => {
    const doc = (await t.request({ method: 'GET', url: '/docs-json' })).body;
    expect(doc.paths['/api/v1/tickets/{ticket_id}'].delete.responses).toHaveProperty('204');
    expect(doc.paths['/api/v1/articles/{article_id}'].delete.responses).toHaveProperty('404');
    expect(doc.paths['/api/v1/tickets/delete'].post.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/admin/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['company_id', 'action', 'limit', 'cursor']),
    );
  });
});

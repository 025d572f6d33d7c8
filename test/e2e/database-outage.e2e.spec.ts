import { ticketFactory } from '../factories/ticket.factory';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';
import { describeSkippedWithout, missingServices } from '../support/services';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';

/**
 * PostgreSQL unreachable (a TCP proxy between the app and the shared server is cut or frozen; the server itself
 * is never touched): what can be answered still is, writes fail at once with 503 + Retry-After.
 */
const needs = ['DATABASE_URL'];

if (missingServices(...needs).length > 0) {
  describeSkippedWithout('database outage (postgres)', needs);
} else {
  describe('database outage (postgres behind a TCP proxy)', () => {
    let proxy: TcpProxy;
    let t: TestApp;
    let key: string;
    let revokedKey: string;
    let sessionId: string;
    const search = (apiKey: string, query = 'refund for a damaged parcel') =>
      t.request({ method: 'POST', url: '/api/v1/search', key: apiKey, body: { query } });
    const init = (ticketId: string) =>
      t.request({ method: 'POST', url: '/api/v1/init', key, body: { ticket_id: ticketId } });
    const upsert = () =>
      t.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key,
        body: { tickets: [ticketFactory({ ticket_id: 'OUT-2' })] },
      });

    beforeAll(async () => {
      const url = new URL(process.env.DATABASE_URL!);
      proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
      t = await startTestApp('postgres', {
        DATABASE_URL: proxy.rewrite(process.env.DATABASE_URL!),
        AUTH_CACHE_TTL_MS: '200',
        // A silent server is noticed on a pooled connection by the client-side bound (this + 1 s).
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      });
      key = await t.createCompany('outage');
      const issued = await t.request({
        method: 'POST',
        url: '/api/v1/admin/companies/outage/api-keys',
        key: TEST_ADMIN_KEY,
      });
      expect(issued.status).toBe(201);
      revokedKey = issued.body.api_key;
      const ticket = ticketFactory({ ticket_id: 'OUT-1' });
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: [ticket] } })).status,
      ).toBe(200);
      // Indexed first: its indexing would invalidate a search cached before it.
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: '/api/v1/tickets/OUT-1', key })).body?.index_state ===
          'indexed',
        20_000,
      );
      // Cached while the database is up; the second key is seen, then revoked.
      expect((await search(key)).status).toBe(200);
      expect((await search(revokedKey)).status).toBe(200);
      const revoked = await t.request({
        method: 'DELETE',
        url: `/api/v1/admin/companies/outage/api-keys/${issued.body.key_id}`,
        key: TEST_ADMIN_KEY,
      });
      expect(revoked.status).toBe(200);
      const opened = await init('OUT-1');
      expect(opened.status).toBe(200);
      sessionId = opened.body.session_id;
    });

    afterAll(async () => {
      proxy?.resume();
      await t?.close();
      await proxy?.close();
    });

    it('with the database refusing: cached search answers 200, an uncached one from vectors (degraded), a write 503 + Retry-After at once, a revoked key 401', async () => {
      await waitFor(async () => (await search(key)).headers['x-cache'] === 'HIT', 5_000);
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 400)); // past AUTH_CACHE_TTL_MS
      for (let i = 0; i < 3; i++) {
        const hit = await search(key);
        expect(hit.status).toBe(200);
        expect(hit.headers['x-cache']).toBe('HIT');
      }
      // A search never cached: the vector index still answers; the keyword index and the deletion check are the
      // database's, so the answer says it is vector-only and unchecked, and it is not cached.
      for (let i = 0; i < 2; i++) {
        const fresh = await search(key, 'parcel arrived damaged, customer wants a refund');
        expect(fresh.status).toBe(200);
        expect(fresh.headers['x-cache']).not.toBe('HIT');
        expect(fresh.body.degraded).toMatch(/^database unavailable/);
        expect(fresh.body.results.map((r: { id: string }) => r.id)).toContain('OUT-1');
      }
      const started = Date.now();
      const write = await upsert();
      expect(write.status).toBe(503);
      expect(write.headers['retry-after']).toBeDefined();
      expect(Date.now() - started).toBeLessThan(1_500);
      expect((await search(revokedKey)).status).toBe(401);
      // The session is answered from its cached copy: the question keeps its context.
      const followUp = await t.request({
        method: 'POST',
        url: '/api/v1/query',
        key,
        body: { query: 'how long does a refund take?', session_id: sessionId },
      });
      expect(followUp.status).toBe(200);
      expect(followUp.body.session_id).toBe(sessionId);
      // Its ticket cannot be read: answered without the case's facts, and said so.
      expect(followUp.body.degraded).toEqual(expect.arrayContaining(['ticket']));
      expect(followUp.body.degraded).not.toContain('session');
      // /init of a ticket whose bundle was cached: the last bundle, said so (the ticket could not be re-read, and
      // the new session could not be stored); a ticket with none cached cannot be answered.
      const reopened = await init('OUT-1');
      expect(reopened.status).toBe(200);
      expect(reopened.headers['x-cache']).toBe('STALE');
      expect(reopened.body.ticket.ticket_id).toBe('OUT-1');
      expect(reopened.body.degraded).toEqual(expect.arrayContaining(['ticket', 'session']));
      const unknown = await init('OUT-404');
      expect(unknown.status).toBe(503);
      // A key never seen cannot be checked: refused with 503, never accepted.
      expect((await search('sc_0badc0de_' + 'x'.repeat(43))).status).toBe(503);
      proxy.resume();
      await waitFor(async () => (await upsert()).status === 200, 10_000);
      // The session /init opened while the database was away (not stored then) is kept, not a 404 now.
      const later = await t.request({
        method: 'POST',
        url: '/api/v1/query',
        key,
        body: { query: 'how long does a refund take?', session_id: reopened.body.session_id },
      });
      expect(later.status).toBe(200);
      expect(later.body.session_id).toBe(reopened.body.session_id);
    });

    it('with the database silent (frozen): cached search answers at once, a revoked key 401, a write 503 within the statement bound', async () => {
      // The last test's write changed the company's data (and its indexing will again): cached again first.
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: '/api/v1/tickets/OUT-2', key })).body?.index_state ===
          'indexed',
        20_000,
      );
      await waitFor(async () => (await search(key)).headers['x-cache'] === 'HIT', 5_000);
      proxy.freeze();
      try {
        await new Promise((resolve) => setTimeout(resolve, 400));
        const searched = Date.now();
        const hit = await search(key);
        expect(hit.status).toBe(200);
        expect(hit.headers['x-cache']).toBe('HIT');
        expect(Date.now() - searched).toBeLessThan(1_500);
        const started = Date.now();
        const write = await upsert();
        expect(write.status).toBe(503);
        expect(write.headers['retry-after']).toBeDefined();
        // Bounded, not hung: each statement on a pooled connection gives up after statement timeout + 1 s (3 s
        // here; a write's transaction takes two), a new connection after DATABASE_CONNECT_TIMEOUT_MS.
        expect(Date.now() - started).toBeLessThan(9_000);
        expect((await search(revokedKey)).status).toBe(401);
      } finally {
        proxy.cut();
        proxy.resume();
      }
      await waitFor(async () => (await upsert()).status === 200, 10_000);
    });

    it("with the database refusing: a ticket read before answers its last copy (STALE), never a version older than the last write, a deleted one, or another company's", async () => {
      const get = (id: string, apiKey = key) =>
        t.request({ method: 'GET', url: `/api/v1/tickets/${id}`, key: apiKey });
      const put = (id: string, subject: string) =>
        t.request({
          method: 'PUT',
          url: '/api/v1/tickets',
          key,
          body: { tickets: [ticketFactory({ ticket_id: id, subject })] },
        });
      const otherKey = await t.createCompany('outage-other');
      // A write removes its ticket's copy once more a second later (for a read that raced it): reads come after.
      const settled = () => new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await put('OUT-5', 'printer jams on page two')).status).toBe(200);
      expect((await put('OUT-6', 'first version')).status).toBe(200);
      expect((await put('OUT-7', 'to be deleted')).status).toBe(200);
      expect((await put('OUT-8', 'never read')).status).toBe(200);
      await settled();
      // Read while the database answers (the copy is kept in the background): OUT-5, OUT-6, OUT-7.
      const read = await get('OUT-5');
      expect(read.status).toBe(200);
      expect((await get('OUT-6')).status).toBe(200);
      expect((await get('OUT-7')).status).toBe(200);
      expect((await get('OUT-5', otherKey)).status).toBe(404);
      // Then OUT-7 deleted (its copy goes; the others stay) and OUT-6 changed (its copy goes).
      expect((await t.request({ method: 'DELETE', url: '/api/v1/tickets/OUT-7', key })).status).toBe(204);
      expect((await put('OUT-6', 'second version')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      proxy.cut();
      try {
        await new Promise((resolve) => setTimeout(resolve, 400)); // past AUTH_CACHE_TTL_MS
        const stale = await get('OUT-5');
        expect(stale.status).toBe(200);
        expect(stale.headers['x-cache']).toBe('STALE');
        expect(stale.body).toEqual(read.body);
        const changed = await get('OUT-6');
        expect(changed.status).toBe(503);
        expect(changed.body.subject).toBeUndefined();
        expect((await get('OUT-7')).status).toBe(503);
        expect((await get('OUT-8')).status).toBe(503);
        // The copy is the company's: another company asking for the same id learns nothing from it.
        expect((await get('OUT-5', otherKey)).status).toBe(503);
        // A draft for a ticket with a copy: written from the copy, said so; JSON and streamed. None without one.
        const reply = (id: string, stream = false) =>
          t.request({
            method: 'POST',
            url: '/api/v1/reply',
            key,
            body: { ticket_id: id },
            headers: stream ? { accept: 'text/event-stream' } : {},
          });
        const drafted = await reply('OUT-5');
        expect(drafted.status).toBe(200);
        expect(drafted.body.draft.length).toBeGreaterThan(0);
        expect(drafted.body.degraded).toEqual(expect.arrayContaining(['ticket']));
        const streamed = await reply('OUT-5', true);
        expect(streamed.status).toBe(200);
        expect(streamed.text).toContain('event: done');
        expect(streamed.text).toMatch(/"degraded":\[[^\]]*"ticket"/);
        expect((await reply('OUT-6')).status).toBe(503);
        expect((await reply('OUT-7')).status).toBe(503);
        // /init of a ticket never opened (no cached bundle) but read before: a bundle around its last copy, said so.
        const opened = await init('OUT-5');
        expect(opened.status).toBe(200);
        expect(opened.headers['x-cache']).toBe('STALE');
        expect(opened.body.ticket).toEqual(read.body);
        expect(opened.body.summary.length).toBeGreaterThan(0);
        expect(opened.body.degraded).toEqual(expect.arrayContaining(['ticket']));
        expect((await init('OUT-8')).status).toBe(503);
        expect((await init('OUT-7')).status).toBe(503);
      } finally {
        proxy.resume();
      }
      await waitFor(async () => (await get('OUT-7')).status === 404, 10_000);
      const fresh = await get('OUT-6');
      expect(fresh.body.subject).toBe('second version');
      expect(fresh.headers['x-cache']).toBeUndefined();
    });
  });
}

import { ticketFactory } from '../factories/ticket.factory';
import { FakeQdrantServer } from '../fakes/qdrant.fake-server';
import { startTestApp, TestApp } from '../setup/test-app';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * The soak found rows written while Qdrant was unreachable for 15 s left `failed` for good: an index write that
 * fails because a store is unavailable must be retried (the job's backoff, then the reconciler), not be
 * recorded as a failure of the rows.
 */
describe('tickets written while the vector store is unreachable', () => {
  let qdrant: FakeQdrantServer;
  let proxy: TcpProxy;
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    qdrant = await new FakeQdrantServer().start();
    const url = new URL(qdrant.url);
    proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port) });
    t = await startTestApp('sqlite', {
      QDRANT_URL: proxy.rewrite(qdrant.url).replace(/\/$/, ''),
      RECONCILE_INTERVAL_MS: '2000',
    });
    key = await t.createCompany('vector-outage');
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await qdrant?.stop();
  });

  it('are indexed once it is back, never marked failed', async () => {
    proxy.cut();
    const tickets = [1, 2, 3].map((i) => ticketFactory({ ticket_id: `VO-${i}` }));
    expect((await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } })).status).toBe(
      200,
    );
    const states = async () =>
      Promise.all(
        tickets.map(
          async (ticket) =>
            (await t.request({ method: 'GET', url: `/api/v1/tickets/${ticket.ticket_id}`, key })).body
              .index_state as string,
        ),
      );
    const seen = new Set<string>();
    const outageEnds = Date.now() + 5_000;
    while (Date.now() < outageEnds) {
      for (const state of await states()) seen.add(state);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    proxy.resume();
    const deadline = Date.now() + 40_000;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = await states();
      for (const state of last) seen.add(state);
      if (last.every((state) => state === 'indexed')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(last).toEqual(['indexed', 'indexed', 'indexed']);
    expect(seen.has('failed')).toBe(false);
  }, 60_000);
});

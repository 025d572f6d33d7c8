import { countIndexed, demoData, demoExamples } from '../../src/cli/demo-example';
import { inBatches } from '../../src/cli/generate/support-data.generator';
import { startTestApp, TestApp } from '../setup/test-app';

/**
 * `npm run demo` prints a /query to try in the session of a ticket it names. A newcomer's first question must be
 * one the demo's own data answers: the demo's data (embedded mode, local models, as the demo runs), its
 * suggested ticket and question, through the routes.
 */
describe('the demo’s suggested question (embedded, local models)', () => {
  let t: TestApp;
  let key: string;
  const { tickets, articles } = demoData({ tickets: 300, articles: 40 });

  const post = (url: string, body: unknown) =>
    t.request({ method: 'POST', url: `/api/v1/${url}`, key, body });

  beforeAll(async () => {
    t = await startTestApp('sqlite', { RECONCILE_INTERVAL_MS: '600000', ASSIST_PREFETCH_ENABLED: 'false' });
    key = await t.createCompany('demo');
    const put = async (url: string, body: unknown) =>
      expect((await t.request({ method: 'PUT', url, key, body })).status).toBe(200);
    for (const batch of inBatches(articles, 100)) await put('/api/v1/articles', { articles: batch });
    for (const batch of inBatches(tickets, 100)) await put('/api/v1/tickets', { tickets: batch });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const indexed = await countIndexed(async (url) => (await t.request({ method: 'GET', url, key })).body);
      if (indexed === tickets.length) break;
      if (Date.now() > deadline) throw new Error(`${indexed} of ${tickets.length} tickets indexed in time`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('is answered from the demo’s data, in the session of the ticket the demo names', async () => {
    const { english, question } = demoExamples(tickets);
    const init = await post('init', { ticket_id: english.ticket_id });
    expect(init.status).toBe(200);
    const answer = await post('query', { query: question, session_id: init.body.session_id });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ grounded: true, partial: false });
    expect(answer.body.sources.length).toBeGreaterThan(0);
    expect(answer.body.sources.map((s: { id: string }) => s.id)).not.toContain(english.ticket_id);
  });
});

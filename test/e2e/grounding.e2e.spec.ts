import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TestApp, TEST_ADMIN_KEY } from '../setup/test-app';

const TOPICS = [
  ['Refund not received', 'I returned the jacket and my refund has not arrived on my card yet.'],
  ['Refund for a cancelled order', 'I cancelled the order before shipping, when do I get the money back?'],
  ['Parcel stuck in transit', 'Tracking has shown the parcel in transit for eight days without an update.'],
  ['Wrong size delivered', 'I ordered the shoes in size 42 and the box contains size 40.'],
  ['Invoice missing VAT number', 'The invoice for my order does not show our company VAT number.'],
  ['Change delivery address', 'I moved last week; please ship the order to my new address instead.'],
  ['Discount code rejected', 'The discount code from the newsletter is rejected at checkout.'],
  ['Charged twice for one order', 'My card statement shows two identical charges for one order.'],
] as const;

/** Resolved tickets on a handful of topics, several per topic with varied wording: enough for a graph. */
function corpus(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const [subject, description] = TOPICS[i % TOPICS.length];
    return ticketFactory({
      ticket_id: `${prefix}-${String(i).padStart(3, '0')}`,
      subject: `${subject} (case ${i % 7})`,
      description: `${description} Order ${1000 + (i % 13)}.`,
      status: 'resolved',
      tags: [],
      conversations: [
        { from: 'customer', body: description, created_at: '2024-05-01T09:30:00Z' },
        {
          from: 'agent',
          body: `We have handled this for you (${subject.toLowerCase()}).`,
          created_at: '2024-05-01T10:00:00Z',
        },
      ],
    });
  });
}

/** Local models, no OpenAI double: relevance is the local embedder's, on the scale the floors were chosen on. */
describe.each(dbTargets())('grounding and the relevance floor (%s, local models)', (target) => {
  let t: TestApp;
  let key: string;
  const post = (url: string, body: unknown, headers?: Record<string, string>) =>
    t.request({ method: 'POST', url: `/api/v1/${url}`, key, body, headers });

  async function ingest(force = false): Promise<void> {
    const job = await post('ingest', {
      start_date: '2024-05-01',
      end_date: '2024-05-01',
      options: { force },
    });
    expect(job.status).toBe(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await t.request({ method: 'GET', url: `/api/v1/ingest/${job.body.job_id}`, key });
      if (state.body.state === 'completed') break;
      if (state.body.state === 'failed' || Date.now() > deadline) throw new Error(JSON.stringify(state.body));
      await new Promise((r) => setTimeout(r, 50));
    }
    await t.app.get(TicketPrefetchListener).whenIdle();
  }

  beforeAll(async () => {
    // A tiny exact-search bound, degree and ef put every search through an approximate HNSW graph.
    t = await startTestApp(target, {
      VECTOR_EXACT_SEARCH_MAX: '8',
      HNSW_M: '4',
      HNSW_EF_CONSTRUCTION: '8',
      HNSW_EF_SEARCH: '2',
      // What is measured is determinism, not Redis latency: a read slowed past 50 ms by a loaded machine
      // would count as a miss.
      CACHE_OP_TIMEOUT_MS: '5000',
      CACHE_STATE_TIMEOUT_MS: '5000',
      ASSIST_STATE_TIMEOUT_MS: '5000',
    });
    key = await t.createCompany('acme');
    const tickets = [
      ...corpus('R', 64),
      ticketFactory({
        ticket_id: 'OPEN-REFUND',
        subject: 'Refund not received yet',
        description: 'I sent the jacket back two weeks ago and the refund is still not on my card.',
        status: 'open',
      }),
      ticketFactory({
        ticket_id: 'OPEN-2FA',
        subject: 'Two-factor authentication codes never arrive',
        description: 'The authenticator setup keeps failing: no verification SMS reaches my phone.',
        status: 'open',
        tags: [],
        conversations: [],
      }),
    ];
    const put = await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } });
    expect(put.status).toBe(200);
    await ingest();
  }, 120_000);

  afterAll(() => t.close());

  it('scores search results by cosine and keyword relevance on stated scales, not by rank', async () => {
    const res = await post('search', { query: 'refund has not arrived on my card', data_types: ['tickets'] });
    expect(res.status).toBe(200);
    const results = res.body.results as Array<{ score: number; score_type: string; fusion_score: number }>;
    expect(results.length).toBeGreaterThan(1);
    for (const r of results) {
      expect(r.score_type).toBe('cosine');
      expect(r.score).toBeGreaterThan(-1);
      expect(r.score).toBeLessThanOrEqual(1);
    }
    // Two different documents do not share a rank-derived score any more.
    expect(results[0].score).toBeGreaterThan(results[results.length - 1].score);
    expect(results.map((r) => r.fusion_score)).toEqual(
      [...results.map((r) => r.fusion_score)].sort((a, b) => b - a),
    );
  });

  it('answers plainly that the knowledge base has nothing on a question no source is relevant to', async () => {
    const res = await post('query', { query: 'How do I set up two-factor authentication?' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ grounded: false, sources: [], partial: false });
    expect(res.body.answer).toMatch(/knowledge base has nothing on this/);
    expect(res.body.answer).not.toMatch(/\[\d+\]/);
  });

  it('grounds an in-scope question in sources that passed the floor', async () => {
    const res = await post('query', { query: 'My refund has not arrived on my card' });
    expect(res.status).toBe(200);
    expect(res.body.grounded).toBe(true);
    expect(res.body.sources.length).toBeGreaterThan(0);
    for (const source of res.body.sources) expect(source.score).toBeGreaterThan(0);
  });

  it('streams the "nothing found" answer with grounded false in the done event', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${await t.app.getUrl()}/api/v1/query`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ query: 'How do I set up two-factor authentication?' }),
    });
    const text = await response.text();
    const done = text.split('\n\n').find((frame) => frame.startsWith('event: done'))!;
    const data = JSON.parse(
      done
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    );
    expect(data).toMatchObject({ grounded: false, sources: [] });
  });

  it('drafts from the ticket alone, and says so, when no similar ticket is relevant', async () => {
    const res = await post('reply', { ticket_id: 'OPEN-2FA' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ grounded: false, sources: [] });
    expect(res.body.notice).toMatch(/drafted from the ticket alone/);
    expect(res.body.draft).not.toMatch(/\[\d+\]/);
    const grounded = await post('reply', { ticket_id: 'OPEN-REFUND' });
    expect(grounded.body.grounded).toBe(true);
    expect(grounded.body.sources.length).toBeGreaterThan(0);
    expect(grounded.body.notice).toBeUndefined();
  });

  it('serves the same /reply from the draft cache 100 times in a row, retrieval recomputed every time', async () => {
    const first = await post('reply', { ticket_id: 'OPEN-REFUND' });
    expect(first.status).toBe(200);
    for (let i = 0; i < 100; i++) {
      if (i % 25 === 0) await ingest(true); // re-indexing unchanged tickets is no change of the data
      // Drop the cached search results, so each /reply runs its retrieval again.
      const dropped = await t.request({
        method: 'DELETE',
        url: '/api/v1/admin/cache/acme?types=vector',
        key: TEST_ADMIN_KEY,
      });
      expect(dropped.status).toBe(200);
      const again = await post('reply', { ticket_id: 'OPEN-REFUND' });
      expect({ i, cached: again.body.cached, sources: again.body.sources }).toEqual({
        i,
        cached: true,
        sources: first.body.sources,
      });
    }
  }, 240_000);
});

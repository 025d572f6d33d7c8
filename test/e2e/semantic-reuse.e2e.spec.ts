import { BackgroundTasks } from '../../src/modules/assist/background-tasks.service';
import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';
import { waitFor } from '../support/wait-for';

/**
 * The semantic layer reuses a similar question's answer with that answer's sources. Found by eval:answers: an
 * answer citing a ticket that this wording's own retrieval does not find. A reused answer may only show sources
 * the question retrieved itself. The threshold is set to 0 here, so every question is "similar" to every other
 * and only that rule (and the question guard) decides.
 */
const TOPICS = [
  ['Refund for the returned jacket', 'Where is my refund for the jacket I sent back last month?'],
  ['Parcel stuck in transit', 'Where is my parcel? Tracking shows it stuck in transit for days.'],
] as const;

describe.each(dbTargets())(
  'semantic reuse shows only sources the question retrieved (%s, local models)',
  (target) => {
    let t: TestApp;
    let key: string;
    const query = (text: string) =>
      t.request({
        method: 'POST',
        url: '/api/v1/query',
        key,
        body: { query: text, data_types: ['tickets'] },
      });

    beforeAll(async () => {
      t = await startTestApp(target, { SEMANTIC_CACHE_THRESHOLD: '0', ASSIST_PREFETCH_ENABLED: 'false' });
      key = await t.createCompany('acme');
      const tickets = Array.from({ length: 12 }, (_, i) => {
        const [subject, description] = TOPICS[i % TOPICS.length];
        return ticketFactory({
          ticket_id: `T-${String(i).padStart(2, '0')}`,
          subject,
          description,
          status: 'resolved',
          tags: [],
          conversations: [],
        });
      });
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } })).status,
      ).toBe(200);
      const job = await t.request({
        method: 'POST',
        url: '/api/v1/ingest',
        key,
        body: { start_date: '2000-01-01', end_date: '2100-01-01' },
      });
      expect(job.status).toBe(202);
      await waitFor(async () => {
        const state = await t.request({ method: 'GET', url: `/api/v1/ingest/${job.body.job_id}`, key });
        if (state.body.state === 'failed') throw new Error(JSON.stringify(state.body));
        return state.body.state === 'completed';
      }, 60_000);
      await t.app.get(TicketPrefetchListener).whenIdle();
    }, 120_000);

    afterAll(() => t.close());

    it('answers a question afresh instead of with a similar question’s answer whose sources it did not retrieve', async () => {
      const refund = await query('Where is the refund for my returned jacket?');
      expect(refund.status).toBe(200);
      expect(refund.body.grounded).toBe(true);
      const refundIds = (refund.body.sources as Array<{ id: string }>).map((s) => s.id);
      expect(refundIds.length).toBeGreaterThan(0);
      // The semantic entry is written after the response.
      await t.app.get(BackgroundTasks).drain();

      const parcel = await query('Where is my parcel stuck in transit?');
      expect(parcel.status).toBe(200);
      expect(parcel.body.cached).toBe(false);
      const search = await t.request({
        method: 'POST',
        url: '/api/v1/search',
        key,
        body: { query: 'Where is my parcel stuck in transit?', data_types: ['tickets'], limit: 50 },
      });
      const retrieved = new Set((search.body.results as Array<{ id: string }>).map((r) => r.id));
      const parcelIds = (parcel.body.sources as Array<{ id: string }>).map((s) => s.id);
      expect(parcelIds.length).toBeGreaterThan(0);
      for (const id of parcelIds) expect(retrieved.has(id)).toBe(true);
      expect(parcelIds).not.toEqual(refundIds);
    });
  },
);

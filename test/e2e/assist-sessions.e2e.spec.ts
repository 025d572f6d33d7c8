import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { assistKeys } from '../../src/modules/assist/domain/assist-keys';
import { SessionStore } from '../../src/modules/assist/ports/session-store.port';
import { LayeredCache } from '../../src/modules/cache/ports/layered-cache.port';
import { ticketFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TestApp } from '../setup/test-app';
import { waitFor } from '../support/wait-for';

/** The `done` event's data of a text/event-stream body. */
function doneOf(text: string): Record<string, unknown> {
  const frame = text.split('\n\n').find((raw) => raw.startsWith('event: done'));
  if (!frame) throw new Error(`no done event in ${text.slice(0, 300)}`);
  return JSON.parse(/^data: (.*)$/m.exec(frame)![1]) as Record<string, unknown>;
}

/** The value of one sample of the Prometheus text, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const WRITE_FAILURES = 'assist_state_failures_total{store="session",operation="write"}';
const READ_FAILURES = 'assist_state_failures_total{store="session",operation="read"}';

/**
 * Sessions are state in the database (issues 18, 22): a cache Redis that is down or comes back empty forgets
 * none of them, and a session store that fails or stalls degrades /query and /reply (`degraded: ["session"]`)
 * instead of failing them.
 */
describe.each(dbTargets())('sessions are state (%s)', (target) => {
  let t: TestApp;
  let key: string;

  const post = (url: string, body: unknown, headers?: Record<string, string>) =>
    t.request({ method: 'POST', url: `/api/v1/${url}`, key, body, headers });
  const storedTurns = async (sessionId: string) =>
    (await t.app.get(SessionStore).find({ companyId: 'sessions-a', sessionId }))?.turns.map(
      (turn) => turn.question,
    );

  beforeAll(async () => {
    t = await startTestApp(target, { ASSIST_STATE_TIMEOUT_MS: '300', RECONCILE_INTERVAL_MS: '600000' });
    key = await t.createCompany('sessions-a');
    const tickets = [ticketFactory({ ticket_id: 'S-REFUND' })];
    expect((await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets } })).status).toBe(
      200,
    );
  }, 60_000);
  afterAll(() => t?.close());
  afterEach(() => jest.restoreAllMocks());

  it('keeps sessions through a cache that loses everything (the company’s whole cache invalidated, or flushed)', async () => {
    const init = await post('init', { ticket_id: 'S-REFUND' });
    expect(init.status).toBe(200);
    const sessionId = init.body.session_id as string;
    expect((await post('query', { query: 'how long do refunds take?', session_id: sessionId })).status).toBe(
      200,
    );

    const invalidated = await t.request({
      method: 'DELETE',
      url: '/api/v1/admin/cache/sessions-a',
      key: 'test-admin-key-0123456789abcdef',
    });
    expect(invalidated.status).toBe(200);
    if (process.env.REDIS_URL) {
      // A cache Redis that came back empty: every key of this app's prefix gone (never FLUSHALL the shared one).
      const redis = new Redis(process.env.REDIS_URL, { lazyConnect: true });
      await redis.connect();
      try {
        const keys: string[] = [];
        const prefix = t.config.redis.keyPrefix;
        expect(prefix).not.toBe('');
        for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 }))
          keys.push(...(batch as string[]));
        if (keys.length > 0) await redis.unlink(...keys);
        expect(await redis.exists(...(keys.length > 0 ? keys : ['none']))).toBe(0);
      } finally {
        redis.disconnect();
      }
    }

    const followUp = await post('query', { query: 'and is it free?', session_id: sessionId });
    expect(followUp.status).toBe(200);
    expect(followUp.body).toMatchObject({ session_id: sessionId });
    expect(followUp.body.degraded).toBeUndefined();
    expect(await storedTurns(sessionId)).toEqual(['how long do refunds take?', 'and is it free?']);
    expect((await post('reply', { ticket_id: 'S-REFUND', session_id: sessionId })).status).toBe(200);
  });

  it('while the store fails, the cached copy keeps the session and its turns', async () => {
    const init = await post('init', { ticket_id: 'S-REFUND' });
    const sessionId = init.body.session_id as string;
    expect((await post('query', { query: 'how long do refunds take?', session_id: sessionId })).status).toBe(
      200,
    );
    const outage = await tableOutage(t);
    try {
      const during = await post('query', { query: 'and is it free?', session_id: sessionId });
      expect(during.status).toBe(200);
      expect(during.body).toMatchObject({ session_id: sessionId });
      expect(during.body.degraded).toBeUndefined();
      expect((await post('reply', { ticket_id: 'S-REFUND', session_id: sessionId })).status).toBe(200);
    } finally {
      await outage.end();
    }
    // The store is home again with the session (the turn asked during the outage lands only if its write outlived
    // the outage: a locked PostgreSQL table takes it once released, a missing SQLite table never does).
    const stored = await storedTurns(sessionId);
    expect(stored?.[0]).toBe('how long do refunds take?');
    const after = await post('query', { query: 'anything else?', session_id: sessionId });
    expect(after.status).toBe(200);
    expect(after.body.degraded).toBeUndefined();
  }, 60_000);

  it('a store that fails with no cached copy answers 200 without the session, degraded ["session"], and keeps the session', async () => {
    const init = await post('init', { ticket_id: 'S-REFUND' });
    const sessionId = init.body.session_id as string;
    const before = sample((await t.scrapeMetrics()).text, READ_FAILURES);
    // The cache lost the copies too (the whole company's cache invalidated), after the copy of the new session
    // (written in the background) has landed: a copy written after the invalidation would answer for the store.
    const copies = t.app.get(LayeredCache);
    const copyKey = assistKeys.sessionCopy({ companyId: 'sessions-a', sessionId });
    await waitFor(async () => (await copies.get(copyKey)) !== undefined, 10_000);
    expect(
      (
        await t.request({
          method: 'DELETE',
          url: '/api/v1/admin/cache/sessions-a',
          key: 'test-admin-key-0123456789abcdef',
        })
      ).status,
    ).toBe(200);
    await waitFor(async () => (await copies.get(copyKey)) === undefined, 10_000);
    const outage = await tableOutage(t);
    try {
      const query = await post('query', { query: 'how long do refunds take?', session_id: sessionId });
      expect(query.status).toBe(200);
      expect(query.body).toMatchObject({ session_id: sessionId, degraded: ['session'] });
      expect(query.body.answer).toEqual(expect.any(String));

      const reply = await post('reply', { ticket_id: 'S-REFUND', session_id: sessionId });
      expect(reply.status).toBe(200);
      expect(reply.body.degraded).toContain('session');

      const streamed = await post(
        'query',
        { query: 'refund timeline', session_id: sessionId },
        { accept: 'text/event-stream' },
      );
      expect(streamed.status).toBe(200);
      expect(doneOf(streamed.text)).toMatchObject({ session_id: sessionId, degraded: ['session'] });

      // A new session the store could not keep is said so too.
      const fresh = await post('query', { query: 'how long do refunds take?' });
      expect(fresh.status).toBe(200);
      expect(fresh.body.degraded).toEqual(['session']);
      const opened = await post('init', { ticket_id: 'S-REFUND' });
      expect(opened.status).toBe(200);
      expect(opened.body.degraded).toContain('session');
    } finally {
      await outage.end();
    }
    expect(sample((await t.scrapeMetrics()).text, READ_FAILURES)).toBeGreaterThanOrEqual(before + 3);
    // The store is back: the session is still there, and an unknown id is a 404 again.
    const again = await post('query', { query: 'how long do refunds take?', session_id: sessionId });
    expect(again.status).toBe(200);
    expect(again.body.degraded).toBeUndefined();
    expect((await post('query', { query: 'refund', session_id: 'no-such-session-0000000' })).status).toBe(
      404,
    );
  }, 60_000);

  it('a stalled store is cut at ASSIST_STATE_TIMEOUT_MS: 200 with degraded ["session"], never a 503', async () => {
    const init = await post('init', { ticket_id: 'S-REFUND' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the session's copy has landed: invalidated next
    expect(
      (
        await t.request({
          method: 'DELETE',
          url: '/api/v1/admin/cache/sessions-a',
          key: 'test-admin-key-0123456789abcdef',
        })
      ).status,
    ).toBe(200);
    const store = t.app.get(SessionStore);
    jest.spyOn(store, 'find').mockImplementation(() => new Promise(() => undefined));
    const query = await post('query', {
      query: 'how long do refunds take?',
      session_id: init.body.session_id,
    });
    expect(query.status).toBe(200);
    expect(query.body).toMatchObject({ session_id: init.body.session_id, degraded: ['session'] });
  });

  it('a turn the store cannot record after the answer is logged and counted; the answer stands', async () => {
    const init = await post('init', { ticket_id: 'S-REFUND' });
    const sessionId = init.body.session_id as string;
    const before = sample((await t.scrapeMetrics()).text, WRITE_FAILURES);
    jest.spyOn(t.app.get(SessionStore), 'saveTurns').mockRejectedValue(new Error('connection terminated'));
    const query = await post('query', { query: 'how long do refunds take?', session_id: sessionId });
    expect(query.status).toBe(200);
    expect(query.body).toMatchObject({ session_id: sessionId, partial: false });
    expect(query.body.degraded).toBeUndefined();
    expect(sample((await t.scrapeMetrics()).text, WRITE_FAILURES)).toBe(before + 1);
    jest.restoreAllMocks();
    expect(await storedTurns(sessionId)).toEqual([]);
  });
});

/**
 * Makes the session table unusable from outside the application's code: on PostgreSQL another connection
 * holds an exclusive lock (the store's statements wait, as on a stalled database); on SQLite the table is
 * renamed away (every statement fails).
 */
async function tableOutage(t: TestApp): Promise<{ end(): Promise<void> }> {
  const database = t.config.database;
  if (database.kind === 'postgres') {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`SET search_path TO ${database.schema}`);
    await client.query('BEGIN');
    await client.query('LOCK TABLE assist_session IN ACCESS EXCLUSIVE MODE');
    return {
      async end() {
        await client.query('ROLLBACK');
        await client.end();
      },
    };
  }
  const db = t.app.get(DataSource);
  await db.query('ALTER TABLE assist_session RENAME TO assist_session_away');
  return {
    async end() {
      await db.query('ALTER TABLE assist_session_away RENAME TO assist_session');
    },
  };
}

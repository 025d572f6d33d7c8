import { Logger } from '@nestjs/common';
import { loadConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { FakeLayeredCache } from '../../../test/fakes/layered-cache.fake';
import { FakeSessionStore } from '../../../test/fakes/session-store.fake';
import { assistKeys } from './domain/assist-keys';
import { newSession } from './domain/session';
import { SessionService } from './session.service';

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('SessionService', () => {
  let store: FakeSessionStore;
  let copies: FakeLayeredCache;
  let service: SessionService;
  let metrics: MetricsService;

  beforeEach(() => {
    Logger.overrideLogger(false);
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      ASSIST_STATE_TIMEOUT_MS: '100',
      ASSIST_SESSION_MAX_QUESTIONS: '2',
    });
    store = new FakeSessionStore();
    copies = new FakeLayeredCache();
    metrics = new MetricsService(config);
    service = new SessionService(store, copies, metrics, config);
  });
  afterEach(() => service.onModuleDestroy());

  const failures = async (operation: 'read' | 'write') => {
    const { values } = await metrics.registry.getSingleMetric('assist_state_failures_total')!.get();
    return values.find((v) => v.labels.store === 'session' && v.labels.operation === operation)?.value;
  };

  it('records turns up to the configured number, and a 404 only for an answered "absent"', async () => {
    const { session, stored } = await service.create('acme', 'T-1', { question: 'q1', answer: 'a1' });
    expect(stored).toBe(true);
    const read = await service.requireForUpdate('acme', session.session_id);
    expect(read).toMatchObject({ unavailable: false, session: { ticket_id: 'T-1' } });
    await service.recordTurn(read.session!, { question: 'q2', answer: 'a2' });
    const again = await service.require('acme', session.session_id);
    await service.recordTurn(again.session!, { question: 'q3', answer: 'a3' });
    const last = await service.require('acme', session.session_id);
    expect(last.session?.turns.map((t) => t.question)).toEqual(['q2', 'q3']);
    await expect(service.require('globex', session.session_id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.require('acme', 'bad id')).rejects.toMatchObject({ code: 'not_found' });
  });

  it.each(['hang', 'error'] as const)(
    'a store that does not answer (%s) never throws: unavailable, not stored, counted',
    async (outage) => {
      const { session } = await service.create('acme', null);
      await flush();
      copies.entries.clear(); // neither home nor copy: the cache lost it too
      store.outage = outage;
      const started = Date.now();
      expect(await service.require('acme', session.session_id)).toEqual({ session: null, unavailable: true });
      expect(await service.create('acme', null)).toMatchObject({ stored: false });
      await expect(service.recordTurn(session, { question: 'q', answer: 'a' })).resolves.toBeUndefined();
      // Three calls, each cut at the 100 ms deadline at most (generous bound for a loaded machine).
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await failures('read')).toBe(1);
      expect(await failures('write')).toBe(2);
    },
  );

  it.each(['hang', 'error'] as const)(
    'while the database does not answer (%s), the cached copy keeps the session and its turns',
    async (outage) => {
      const { session } = await service.create('acme', 'T-1', { question: 'q1', answer: 'a1' });
      await flush();
      store.outage = outage;
      const during = await service.require('acme', session.session_id);
      expect(during).toMatchObject({ unavailable: false, session: { ticket_id: 'T-1' } });
      await service.recordTurn(during.session!, { question: 'q2', answer: 'a2' });
      await flush();
      const next = await service.require('acme', session.session_id);
      expect(next.session?.turns.map((t) => t.question)).toEqual(['q1', 'q2']);
      // Another company's id never reads the copy (its key names the company).
      expect(await service.require('globex', session.session_id)).toEqual({
        session: null,
        unavailable: true,
      });
      store.outage = undefined;
      // The database is home again: what it stored is the session (the turn made during the outage was not).
      const after = await service.require('acme', session.session_id);
      expect(after.session?.turns.map((t) => t.question)).toEqual(['q1']);
    },
  );

  it('sweeps the company’s expired sessions on a creation, at most once a minute', async () => {
    const old = newSession({
      sessionId: 'session-expired00001',
      companyId: 'acme',
      ticketId: null,
      now: new Date(),
    });
    await store.create({ session: old, ttlMs: -1 });
    await service.create('acme', null);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.rows.size).toBe(1);
    await store.create({ session: { ...old, session_id: 'session-expired00002' }, ttlMs: -1 });
    await service.create('acme', null);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.rows.size).toBe(3);
  });

  it('a session opened while the database does not answer is stored by the first lookup after it is back', async () => {
    store.outage = 'error';
    const { session, stored } = await service.create('acme', 'T-1', { question: 'q1', answer: 'a1' });
    expect(stored).toBe(false);
    await flush();
    // Still down: answered from its copy.
    expect(await service.require('acme', session.session_id)).toMatchObject({ unavailable: false });
    store.outage = undefined;
    // Back: the database has never seen it, and the lookup stores it instead of answering 404.
    const back = await service.require('acme', session.session_id);
    expect(back).toMatchObject({
      unavailable: false,
      session: { session_id: session.session_id, ticket_id: 'T-1' },
    });
    expect(back.session?.turns.map((t) => t.question)).toEqual(['q1']);
    expect(store.rows.size).toBe(1);
    // Another company's lookup of the same id neither reads nor stores it.
    await expect(service.require('globex', session.session_id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('never brings back a session the database stored and then removed (expiry, retention, erasure)', async () => {
    const { session } = await service.create('acme', 'T-1');
    await flush();
    store.rows.clear(); // removed by the database's own sweep; the copy is still in the cache
    expect(
      await copies.get(assistKeys.sessionCopy({ companyId: 'acme', sessionId: session.session_id })),
    ).toBeDefined();
    await expect(service.require('acme', session.session_id)).rejects.toMatchObject({ code: 'not_found' });
    expect(store.rows.size).toBe(0);
  });
});

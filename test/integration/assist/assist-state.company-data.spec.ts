import { Test } from '@nestjs/testing';
import { CompanyEraser, CompanyExporter, ExportRecord } from '../../../src/common/tenancy/company-data';
import { CompanyEntity } from '../../../src/database/entities';
import { TypeOrmAgentPreferencesStore } from '../../../src/modules/assist/adapters/typeorm.agent-preferences-store.adapter';
import { TypeOrmSessionStore } from '../../../src/modules/assist/adapters/typeorm.session-store.adapter';
import {
  PreferencesEraser,
  PreferencesExporter,
  SessionEraser,
  SessionExporter,
  STATE_EXPORT_PAGE,
} from '../../../src/modules/assist/assist-state.company-data';
import { AssistCoreModule } from '../../../src/modules/assist/assist-core.module';
import { newSession } from '../../../src/modules/assist/domain/session';
import { AgentPreferencesStore } from '../../../src/modules/assist/ports/agent-preferences-store.port';
import { SessionStore } from '../../../src/modules/assist/ports/session-store.port';
import { FakeAgentPreferencesStore } from '../../fakes/agent-preferences-store.fake';
import { FakeSessionStore } from '../../fakes/session-store.fake';
import { DbTarget, dbTargets } from '../../setup/test-app';
import { bareDataSource } from '../ingest/bare-data-source';

const HOUR = 3_600_000;

async function collect(records: AsyncIterable<ExportRecord>): Promise<ExportRecord[]> {
  const out: ExportRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** Sessions and preferences as company data: the erasers and exporters the admin orchestrators discover. */
const targets: Array<'in-memory fake' | DbTarget> = ['in-memory fake', ...dbTargets()];

describe.each(targets)('assist state as company data (%s)', (target) => {
  let sessions: SessionStore;
  let preferences: AgentPreferencesStore;
  let close: () => Promise<void> = async () => undefined;
  let pageReads: number;

  beforeEach(async () => {
    if (target === 'in-memory fake') {
      sessions = new FakeSessionStore();
      preferences = new FakeAgentPreferencesStore();
    } else {
      const bare = await bareDataSource(target);
      await bare.db.getRepository(CompanyEntity).save([
        { id: 'acme', name: 'Acme' },
        { id: 'globex', name: 'Globex' },
      ]);
      sessions = new TypeOrmSessionStore(bare.db);
      preferences = new TypeOrmAgentPreferencesStore(bare.db);
      close = bare.close;
    }
    pageReads = 0;
    const page = sessions.page.bind(sessions);
    sessions.page = (input) => {
      pageReads += 1;
      return page(input);
    };
  });
  afterEach(() => close());

  async function seed(): Promise<void> {
    const now = new Date();
    const count = STATE_EXPORT_PAGE + 3;
    for (let i = 0; i < count; i += 1) {
      const session = newSession({
        sessionId: `session-${String(i).padStart(6, '0')}`,
        companyId: 'acme',
        ticketId: 'T-1',
        now,
      });
      await sessions.create({
        session: { ...session, turns: [{ question: `q${i}`, answer: 'a' }] },
        ttlMs: HOUR,
      });
    }
    await sessions.create({
      session: newSession({ sessionId: 'session-expired0', companyId: 'acme', ticketId: null, now }),
      ttlMs: -1,
    });
    await sessions.create({
      session: newSession({ sessionId: 'session-globex00', companyId: 'globex', ticketId: null, now }),
      ttlMs: HOUR,
    });
    await preferences.put('acme', { agent_id: 'mina', tone: 'formal', updated_at: now.toISOString() });
    await preferences.put('acme', {
      agent_id: 'joon',
      language: 'ko',
      max_words: 80,
      updated_at: now.toISOString(),
    });
    await preferences.put('globex', { agent_id: 'mina', updated_at: now.toISOString() });
  }

  it('are providers of the assist core module, found as CompanyEraser and CompanyExporter', async () => {
    const registered = Reflect.getMetadata('providers', AssistCoreModule) as unknown[];
    for (const provider of [SessionEraser, SessionExporter, PreferencesEraser, PreferencesExporter])
      expect(registered).toContain(provider);
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: SessionStore, useValue: sessions },
        { provide: AgentPreferencesStore, useValue: preferences },
        SessionEraser,
        SessionExporter,
        PreferencesEraser,
        PreferencesExporter,
      ],
    }).compile();
    const erasers = [moduleRef.get(SessionEraser), moduleRef.get(PreferencesEraser)];
    expect(erasers.every((e) => e instanceof CompanyEraser)).toBe(true);
    expect(erasers.map((e) => [e.store, e.order])).toEqual([
      ['sessions', 20],
      ['preferences', 20],
    ]);
    const exporters = [moduleRef.get(SessionExporter), moduleRef.get(PreferencesExporter)];
    expect(exporters.every((e) => e instanceof CompanyExporter)).toBe(true);
    expect(exporters.map((e) => e.store)).toEqual(['sessions', 'preferences']);
  });

  it('export the company’s live sessions page by page, and its preferences', async () => {
    await seed();
    const records = await collect(new SessionExporter(sessions).exportRecords('acme'));
    expect(records).toHaveLength(STATE_EXPORT_PAGE + 3);
    expect(pageReads).toBe(2);
    expect(records[0]).toEqual({
      type: 'session',
      session_id: 'session-000000',
      ticket_id: 'T-1',
      created_at: expect.any(String),
      turns: [{ question: 'q0', answer: 'a' }],
    });
    expect(new Set(records.map((r) => r.session_id)).size).toBe(records.length);
    expect(
      records.some((r) => r.session_id === 'session-globex00' || r.session_id === 'session-expired0'),
    ).toBe(false);

    const prefs = await collect(new PreferencesExporter(preferences).exportRecords('acme'));
    expect(prefs).toEqual([
      { type: 'preference', agent_id: 'joon', language: 'ko', max_words: 80, updated_at: expect.any(String) },
      { type: 'preference', agent_id: 'mina', tone: 'formal', updated_at: expect.any(String) },
    ]);
  });

  it('erase every row of the company (expired ones too), idempotently, with no residue; others are kept', async () => {
    await seed();
    const sessionEraser = new SessionEraser(sessions);
    const preferencesEraser = new PreferencesEraser(preferences);
    expect(await sessionEraser.residue('acme')).toBe(STATE_EXPORT_PAGE + 4);
    expect(await sessionEraser.erase('acme')).toEqual({ rows: STATE_EXPORT_PAGE + 4 });
    expect(await preferencesEraser.erase('acme')).toEqual({ rows: 2 });
    expect(await sessionEraser.erase('acme')).toEqual({ rows: 0 });
    expect(await preferencesEraser.erase('acme')).toEqual({ rows: 0 });
    expect(await sessionEraser.residue('acme')).toBe(0);
    expect(await preferencesEraser.residue('acme')).toBe(0);
    expect(await sessionEraser.residue('globex')).toBe(1);
    expect(await preferencesEraser.residue('globex')).toBe(1);
  });
});

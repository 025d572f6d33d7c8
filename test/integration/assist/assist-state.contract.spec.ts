import { CompanyEntity } from '../../../src/database/entities';
import { TypeOrmAgentPreferencesStore } from '../../../src/modules/assist/adapters/typeorm.agent-preferences-store.adapter';
import { TypeOrmSessionStore } from '../../../src/modules/assist/adapters/typeorm.session-store.adapter';
import type { DbTarget } from '../../setup/test-app';
import { runAssistStateContract } from '../../contract/assist-state.contract';
import { FakeAgentPreferencesStore } from '../../fakes/agent-preferences-store.fake';
import { FakeSessionStore } from '../../fakes/session-store.fake';
import { bareDataSource } from '../ingest/bare-data-source';

runAssistStateContract('in-memory fake', async () => {
  let offset = 0;
  const now = () => Date.now() + offset;
  const sessions = new FakeSessionStore(now);
  return {
    sessions,
    preferences: new FakeAgentPreferencesStore(),
    now,
    advance: (ms) => void (offset += ms),
    setRetention: async (companyId, hours) => void sessions.retentionHours.set(companyId, hours),
    dispose: async () => undefined,
  };
});

const targets: DbTarget[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
for (const target of targets) {
  runAssistStateContract(target === 'sqlite' ? 'SQLite' : 'PostgreSQL', async () => {
    const { db, close } = await bareDataSource(target);
    const companies = db.getRepository(CompanyEntity);
    await companies.save([
      { id: 'acme', name: 'Acme' },
      { id: 'globex', name: 'Globex' },
    ]);
    let offset = 0;
    const now = () => Date.now() + offset;
    return {
      sessions: new TypeOrmSessionStore(db, () => new Date(now())),
      preferences: new TypeOrmAgentPreferencesStore(db),
      now,
      advance: (ms) => void (offset += ms),
      setRetention: async (id, hours) =>
        void (await companies.update({ id }, { sessionsRetentionHours: hours })),
      dispose: close,
    };
  });
}

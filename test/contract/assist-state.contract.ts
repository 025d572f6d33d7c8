import type { AgentPreferences } from '../../src/modules/assist/domain/agent-preferences';
import { AssistSession, newSession } from '../../src/modules/assist/domain/session';
import { AgentPreferencesStore } from '../../src/modules/assist/ports/agent-preferences-store.port';
import { SessionStore } from '../../src/modules/assist/ports/session-store.port';

export interface AssistStateHarness {
  sessions: SessionStore;
  preferences: AgentPreferencesStore;
  /** The stores' clock (ms); `advance` moves it forward. */
  now(): number;
  advance(ms: number): void;
  /** Sets a company's `sessions_retention_hours`. */
  setRetention(companyId: string, hours: number): Promise<void>;
  dispose(): Promise<void>;
}

const MINUTE = 60_000;
const TTL = 60 * MINUTE;

/**
 * The behaviour every SessionStore and AgentPreferencesStore adapter shares (in-memory fake, SQLite,
 * PostgreSQL): company scoping, sliding expiry capped by the company's retention, the sweep, and what the
 * company-data eraser and exporter rely on (delete, count, pages). Companies `acme` and `globex` exist.
 */
export function runAssistStateContract(name: string, factory: () => Promise<AssistStateHarness>): void {
  describe(`SessionStore and AgentPreferencesStore contract: ${name}`, () => {
    let h: AssistStateHarness;
    let sessions: SessionStore;
    let startedAt: Date;

    beforeEach(async () => {
      h = await factory();
      sessions = h.sessions;
      startedAt = new Date(h.now());
    });
    afterEach(() => h.dispose());

    const session = (companyId: string, sessionId: string, ticketId: string | null = null): AssistSession =>
      newSession({ sessionId, companyId, ticketId, now: startedAt });
    const find = (companyId: string, sessionId: string, touchTtlMs?: number) =>
      sessions.find({ companyId, sessionId, touchTtlMs });

    it('finds a session only with its company; turns round-trip', async () => {
      const turns = [
        { question: 'how long do refunds take?', answer: 'About 5 days.' },
        { question: '환불은 얼마나 걸리나요?', answer: '영업일 기준 5일 "quoted" \\ \u0000-free' },
      ];
      await sessions.create({
        session: { ...session('acme', 'session-aaaaaaaaaaaa', 'T-1'), turns },
        ttlMs: TTL,
      });
      const found = await find('acme', 'session-aaaaaaaaaaaa');
      expect(found).toEqual({ ...session('acme', 'session-aaaaaaaaaaaa', 'T-1'), turns });
      expect(await find('globex', 'session-aaaaaaaaaaaa')).toBeUndefined();
      expect(await find('acme', 'session-unknown00000')).toBeUndefined();
    });

    it('saveTurns replaces the turns of the company’s session only', async () => {
      await sessions.create({ session: session('acme', 'session-bbbbbbbbbbbb'), ttlMs: TTL });
      const turn = { question: 'q1', answer: 'a1' };
      const other = { ...session('globex', 'session-bbbbbbbbbbbb'), turns: [turn] };
      expect(await sessions.saveTurns({ session: other, ttlMs: TTL })).toBe(false);
      const mine = { ...session('acme', 'session-bbbbbbbbbbbb'), turns: [turn] };
      expect(await sessions.saveTurns({ session: mine, ttlMs: TTL })).toBe(true);
      expect((await find('acme', 'session-bbbbbbbbbbbb'))?.turns).toEqual([turn]);
      expect(await find('globex', 'session-bbbbbbbbbbbb')).toBeUndefined();
    });

    it('expires after its TTL unless used: a touching read and a turn slide it, a plain read does not', async () => {
      await sessions.create({ session: session('acme', 'session-plain0000000'), ttlMs: TTL });
      await sessions.create({ session: session('acme', 'session-touched00000'), ttlMs: TTL });
      await sessions.create({ session: session('acme', 'session-turned000000'), ttlMs: TTL });
      h.advance(40 * MINUTE);
      expect(await find('acme', 'session-plain0000000')).toBeDefined();
      expect(await find('acme', 'session-touched00000', TTL)).toBeDefined();
      const turned = { ...session('acme', 'session-turned000000'), turns: [{ question: 'q', answer: 'a' }] };
      expect(await sessions.saveTurns({ session: turned, ttlMs: TTL })).toBe(true);
      h.advance(30 * MINUTE);
      expect(await find('acme', 'session-plain0000000')).toBeUndefined();
      expect(await find('acme', 'session-touched00000')).toBeDefined();
      expect(await find('acme', 'session-turned000000')).toBeDefined();
      h.advance(31 * MINUTE);
      expect(await find('acme', 'session-touched00000')).toBeUndefined();
      expect(await sessions.saveTurns({ session: turned, ttlMs: TTL })).toBe(false);
    });

    it('never outlives the company’s retention, however often it is used', async () => {
      await h.setRetention('acme', 1);
      await sessions.create({ session: session('acme', 'session-retained0000'), ttlMs: 3 * TTL });
      await sessions.create({ session: session('globex', 'session-retained0000'), ttlMs: 3 * TTL });
      h.advance(50 * MINUTE);
      expect(await find('acme', 'session-retained0000', 3 * TTL)).toBeDefined();
      h.advance(9 * MINUTE);
      const turned = { ...session('acme', 'session-retained0000'), turns: [{ question: 'q', answer: 'a' }] };
      expect(await sessions.saveTurns({ session: turned, ttlMs: 3 * TTL })).toBe(true);
      h.advance(2 * MINUTE);
      expect(await find('acme', 'session-retained0000', 3 * TTL)).toBeUndefined();
      expect(await find('globex', 'session-retained0000')).toBeDefined();
    });

    it('sweeps only the company’s expired rows; counts rows expired or not; deletes per company', async () => {
      await sessions.create({ session: session('acme', 'session-short0000000'), ttlMs: MINUTE });
      await sessions.create({ session: session('acme', 'session-long00000000'), ttlMs: TTL });
      await sessions.create({ session: session('globex', 'session-short0000000'), ttlMs: MINUTE });
      h.advance(2 * MINUTE);
      expect(await sessions.countCompany('acme')).toBe(2);
      expect(await sessions.sweepExpired('acme')).toBe(1);
      expect(await sessions.countCompany('acme')).toBe(1);
      expect(await sessions.countCompany('globex')).toBe(1);
      expect(await sessions.deleteCompany('acme')).toBe(1);
      expect(await sessions.deleteCompany('acme')).toBe(0);
      expect(await sessions.countCompany('acme')).toBe(0);
      expect(await sessions.countCompany('globex')).toBe(1);
    });

    it('pages the company’s live sessions by id', async () => {
      for (const id of ['session-c0000000000', 'session-a0000000000', 'session-b0000000000'])
        await sessions.create({ session: session('acme', id), ttlMs: TTL });
      await sessions.create({ session: session('acme', 'session-expired0000'), ttlMs: MINUTE });
      await sessions.create({ session: session('globex', 'session-d0000000000'), ttlMs: TTL });
      h.advance(2 * MINUTE);
      const first = await sessions.page({ companyId: 'acme', limit: 2 });
      expect(first.map((s) => s.session_id)).toEqual(['session-a0000000000', 'session-b0000000000']);
      const rest = await sessions.page({ companyId: 'acme', after: first[1].session_id, limit: 2 });
      expect(rest.map((s) => s.session_id)).toEqual(['session-c0000000000']);
      expect(rest[0]).toMatchObject({ company_id: 'acme', turns: [] });
    });

    const prefs = (agentId: string, overrides: Partial<AgentPreferences> = {}): AgentPreferences => ({
      agent_id: agentId,
      language: 'ko',
      tone: 'formal',
      signature: '— Mina, Acme 지원팀',
      max_words: 120,
      updated_at: '2026-01-02T03:04:05.678Z',
      ...overrides,
    });

    it('preferences: put replaces (fields left out are cleared), scoped by company', async () => {
      await h.preferences.put('acme', prefs('mina@acme'));
      expect(await h.preferences.find('acme', 'mina@acme')).toEqual(prefs('mina@acme'));
      expect(await h.preferences.find('globex', 'mina@acme')).toBeUndefined();
      const replaced: AgentPreferences = {
        agent_id: 'mina@acme',
        tone: 'concise',
        updated_at: '2026-01-03T00:00:00.000Z',
      };
      await h.preferences.put('acme', replaced);
      expect(await h.preferences.find('acme', 'mina@acme')).toEqual(replaced);
      h.advance(30 * 24 * 60 * MINUTE);
      expect(await h.preferences.find('acme', 'mina@acme')).toEqual(replaced);
    });

    it('preferences: pages, counts and deletes per company', async () => {
      for (const id of ['c', 'a', 'b']) await h.preferences.put('acme', prefs(id));
      await h.preferences.put('globex', prefs('a'));
      const first = await h.preferences.page({ companyId: 'acme', limit: 2 });
      expect(first.map((p) => p.agent_id)).toEqual(['a', 'b']);
      expect(
        (await h.preferences.page({ companyId: 'acme', after: 'b', limit: 2 })).map((p) => p.agent_id),
      ).toEqual(['c']);
      expect(await h.preferences.countCompany('acme')).toBe(3);
      expect(await h.preferences.deleteCompany('acme')).toBe(3);
      expect(await h.preferences.countCompany('acme')).toBe(0);
      expect(await h.preferences.find('globex', 'a')).toEqual(prefs('a'));
    });
  });
}

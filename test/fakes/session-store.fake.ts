import type { AssistSession } from '../../src/modules/assist/domain/session';
import { SessionStore, StatePage } from '../../src/modules/assist/ports/session-store.port';

const HOUR_MS = 3_600_000;

interface Row {
  session: AssistSession;
  expiresAt: number;
  retainUntil: number | null;
}

/** What an unreachable store does: fail at once, or never answer. */
export type StoreOutage = 'error' | 'hang' | undefined;

/**
 * In-memory SessionStore with its own clock, the companies' retention hours, and an outage switch for
 * degradation tests (`outage = 'hang'` never answers, `'error'` rejects).
 */
export class FakeSessionStore extends SessionStore {
  readonly rows = new Map<string, Row>();
  readonly retentionHours = new Map<string, number>();
  outage: StoreOutage;

  constructor(private readonly now: () => number = () => Date.now()) {
    super();
  }

  async create({ session, ttlMs }: { session: AssistSession; ttlMs: number }): Promise<void> {
    await this.reachable();
    const key = keyOf(session.company_id, session.session_id);
    if (this.rows.has(key)) throw new Error(`duplicate session ${key}`);
    const hours = this.retentionHours.get(session.company_id);
    const retainUntil = hours === undefined ? null : Date.parse(session.created_at) + hours * HOUR_MS;
    this.rows.set(key, {
      session: copy(session),
      expiresAt: capped(this.now() + ttlMs, retainUntil),
      retainUntil,
    });
  }

  async find(input: {
    companyId: string;
    sessionId: string;
    touchTtlMs?: number;
  }): Promise<AssistSession | undefined> {
    await this.reachable();
    const row = this.live(input.companyId, input.sessionId);
    if (!row) return undefined;
    if (input.touchTtlMs !== undefined)
      row.expiresAt = capped(this.now() + input.touchTtlMs, row.retainUntil);
    return copy(row.session);
  }

  async saveTurns({ session, ttlMs }: { session: AssistSession; ttlMs: number }): Promise<boolean> {
    await this.reachable();
    const row = this.live(session.company_id, session.session_id);
    if (!row) return false;
    row.session = { ...row.session, turns: copy(session).turns };
    row.expiresAt = capped(this.now() + ttlMs, row.retainUntil);
    return true;
  }

  async sweepExpired(companyId: string): Promise<number> {
    await this.reachable();
    let n = 0;
    for (const [key, row] of this.rows)
      if (row.session.company_id === companyId && row.expiresAt <= this.now())
        n += Number(this.rows.delete(key));
    return n;
  }

  async deleteCompany(companyId: string): Promise<number> {
    await this.reachable();
    let n = 0;
    for (const [key, row] of this.rows)
      if (row.session.company_id === companyId) n += Number(this.rows.delete(key));
    return n;
  }

  async countCompany(companyId: string): Promise<number> {
    await this.reachable();
    return [...this.rows.values()].filter((row) => row.session.company_id === companyId).length;
  }

  async page({ companyId, after, limit }: StatePage): Promise<AssistSession[]> {
    await this.reachable();
    return [...this.rows.values()]
      .filter((row) => row.session.company_id === companyId && row.expiresAt > this.now())
      .map((row) => copy(row.session))
      .filter((session) => after === undefined || session.session_id > after)
      .sort((a, b) => (a.session_id < b.session_id ? -1 : 1))
      .slice(0, limit);
  }

  private live(companyId: string, sessionId: string): Row | undefined {
    const row = this.rows.get(keyOf(companyId, sessionId));
    return row && row.expiresAt > this.now() ? row : undefined;
  }

  private reachable(): Promise<void> {
    if (this.outage === 'hang') return new Promise(() => undefined);
    if (this.outage === 'error') return Promise.reject(new Error('session store unreachable'));
    return Promise.resolve();
  }
}

function keyOf(companyId: string, sessionId: string): string {
  return `${companyId}\u0000${sessionId}`;
}

function capped(expiresAt: number, retainUntil: number | null): number {
  return retainUntil !== null && retainUntil < expiresAt ? retainUntil : expiresAt;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

import type { AgentPreferences } from '../../src/modules/assist/domain/agent-preferences';
import { AgentPreferencesStore } from '../../src/modules/assist/ports/agent-preferences-store.port';
import type { StatePage } from '../../src/modules/assist/ports/session-store.port';
import type { StoreOutage } from './session-store.fake';

/** In-memory AgentPreferencesStore with an outage switch (see FakeSessionStore). */
export class FakeAgentPreferencesStore extends AgentPreferencesStore {
  readonly rows = new Map<string, { companyId: string; preferences: AgentPreferences }>();
  outage: StoreOutage;

  async find(companyId: string, agentId: string): Promise<AgentPreferences | undefined> {
    await this.reachable();
    const row = this.rows.get(`${companyId}\u0000${agentId}`);
    return row ? structuredClone(row.preferences) : undefined;
  }

  async put(companyId: string, preferences: AgentPreferences): Promise<void> {
    await this.reachable();
    this.rows.set(`${companyId}\u0000${preferences.agent_id}`, {
      companyId,
      preferences: structuredClone(preferences),
    });
  }

  async deleteCompany(companyId: string): Promise<number> {
    await this.reachable();
    let n = 0;
    for (const [key, row] of this.rows) if (row.companyId === companyId) n += Number(this.rows.delete(key));
    return n;
  }

  async countCompany(companyId: string): Promise<number> {
    await this.reachable();
    return [...this.rows.values()].filter((row) => row.companyId === companyId).length;
  }

  async page({ companyId, after, limit }: StatePage): Promise<AgentPreferences[]> {
    await this.reachable();
    return [...this.rows.values()]
      .filter((row) => row.companyId === companyId)
      .map((row) => structuredClone(row.preferences))
      .filter((p) => after === undefined || p.agent_id > after)
      .sort((a, b) => (a.agent_id < b.agent_id ? -1 : 1))
      .slice(0, limit);
  }

  private reachable(): Promise<void> {
    if (this.outage === 'hang') return new Promise(() => undefined);
    if (this.outage === 'error') return Promise.reject(new Error('preferences store unreachable'));
    return Promise.resolve();
  }
}

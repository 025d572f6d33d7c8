import type { AgentPreferences } from '../domain/agent-preferences';
import type { StatePage } from './session-store.port';

/**
 * Where agents' draft preferences live: state, kept until replaced or the company is erased. Every method is
 * company-scoped: another company's agent id is simply absent.
 */
export abstract class AgentPreferencesStore {
  abstract find(companyId: string, agentId: string): Promise<AgentPreferences | undefined>;
  /** Replaces the agent's preferences (fields left out are cleared). */
  abstract put(companyId: string, preferences: AgentPreferences): Promise<void>;
  /** Deletes every agent's preferences of the company; returns how many. */
  abstract deleteCompany(companyId: string): Promise<number>;
  abstract countCompany(companyId: string): Promise<number>;
  /** The company's preferences by agent id, `limit` after `after`. */
  abstract page(page: StatePage): Promise<AgentPreferences[]>;
}

import { Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { AgentPreferences } from './domain/agent-preferences';
import { assistKeys } from './domain/assist-keys';

/**
 * Agents' preferences, state in the prefs layer (7 d sliding TTL: every read extends it). Keys are built with
 * the caller's company, so another company's agent id is simply not found.
 */
@Injectable()
export class AgentPreferencesService {
  private readonly logger = new Logger('AgentPreferences');

  constructor(private readonly cache: LayeredCache) {}

  /** The stored preferences (TTL extended), or a 404. */
  async get(companyId: string, agentId: string): Promise<AgentPreferences> {
    const found = await this.cache.readState<AgentPreferences>(
      assistKeys.preferences({ companyId, agentId }),
      {
        touch: true,
      },
    );
    if (!found) throw new AppError(ErrorCode.NotFound, `no preferences stored for agent '${agentId}'`);
    return found;
  }

  /** Replaces the agent's preferences (PUT: fields left out are cleared). */
  async put(
    companyId: string,
    agentId: string,
    input: Omit<AgentPreferences, 'agent_id' | 'updated_at'>,
  ): Promise<AgentPreferences> {
    const stored: AgentPreferences = {
      agent_id: agentId,
      ...(input.language !== undefined ? { language: input.language } : {}),
      ...(input.tone !== undefined ? { tone: input.tone } : {}),
      ...(input.signature !== undefined ? { signature: input.signature } : {}),
      ...(input.max_words !== undefined ? { max_words: input.max_words } : {}),
      updated_at: new Date().toISOString(),
    };
    await this.cache.writeState(assistKeys.preferences({ companyId, agentId }), stored);
    return stored;
  }

  /**
   * For a draft: the preferences, or none when the agent has none. A store failure drafts without them
   * (logged, and reported by the caller) rather than failing the draft.
   */
  async forDraft(
    companyId: string,
    agentId: string | undefined,
  ): Promise<{ preferences?: AgentPreferences; unavailable: boolean }> {
    if (!agentId) return { unavailable: false };
    try {
      const key = assistKeys.preferences({ companyId, agentId });
      const preferences = await this.cache.readState<AgentPreferences>(key, { touch: true });
      return { preferences, unavailable: false };
    } catch (error) {
      this.logger.warn(
        `preferences of ${companyId}/${agentId} unavailable, drafting without: ${String(error)}`,
      );
      return { unavailable: true };
    }
  }
}

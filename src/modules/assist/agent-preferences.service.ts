import { Injectable, Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { AgentPreferences } from './domain/agent-preferences';
import { AgentPreferencesStore } from './ports/agent-preferences-store.port';
import { boundedStateCall } from './bounded-state-call';

/**
 * Agents' preferences, state in the database (AgentPreferencesStore), kept until replaced or the company is
 * erased. Every store call is bounded (`ASSIST_STATE_TIMEOUT_MS`). Reads and writes are company-scoped, so
 * another company's agent id is simply not found.
 */
@Injectable()
export class AgentPreferencesService {
  private readonly logger = new Logger('AgentPreferences');

  constructor(
    private readonly store: AgentPreferencesStore,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /** The stored preferences, a 404, or a 503 when the store does not answer (nothing to degrade to). */
  async get(companyId: string, agentId: string): Promise<AgentPreferences> {
    const found = await this.bounded('read', () => this.store.find(companyId, agentId));
    if (!found.ok) throw AppError.unavailable('preferences store');
    if (!found.value) throw new AppError(ErrorCode.NotFound, `no preferences stored for agent '${agentId}'`);
    return found.value;
  }

  /** Replaces the agent's preferences (PUT: fields left out are cleared); a 503 when the store does not answer. */
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
    const written = await this.bounded('write', () => this.store.put(companyId, stored));
    if (!written.ok) throw AppError.unavailable('preferences store');
    return stored;
  }

  /**
   * For a draft: the preferences, or none when the agent has none. A store failure drafts without them
   * (logged, counted, and reported by the caller) rather than failing the draft.
   */
  async forDraft(
    companyId: string,
    agentId: string | undefined,
  ): Promise<{ preferences?: AgentPreferences; unavailable: boolean }> {
    if (!agentId) return { unavailable: false };
    const found = await this.bounded('read', () => this.store.find(companyId, agentId));
    return found.ok ? { preferences: found.value, unavailable: false } : { unavailable: true };
  }

  private bounded<T>(
    operation: 'read' | 'write',
    work: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    return boundedStateCall({
      store: 'preferences',
      operation,
      timeoutMs: this.config.assist.stateTimeoutMs,
      metrics: this.metrics,
      logger: this.logger,
      consequence: '',
      work,
    });
  }
}

import { DataSource, Repository } from 'typeorm';
import { AgentPreferencesEntity } from '../../../database/entities';
import type { DraftTone } from '../../llm/domain/draft-preferences';
import type { TextLanguage } from '../../llm/domain/language';
import type { AgentPreferences } from '../domain/agent-preferences';
import { AgentPreferencesStore } from '../ports/agent-preferences-store.port';
import type { StatePage } from '../ports/session-store.port';

/** Preferences in the `agent_preferences` table (SQLite or PostgreSQL); every statement names the company. */
export class TypeOrmAgentPreferencesStore extends AgentPreferencesStore {
  private readonly rows: Repository<AgentPreferencesEntity>;

  constructor(db: DataSource) {
    super();
    this.rows = db.getRepository(AgentPreferencesEntity);
  }

  async find(companyId: string, agentId: string): Promise<AgentPreferences | undefined> {
    const row = await this.rows.findOne({ where: { companyId, agentId } });
    return row ? toPreferences(row) : undefined;
  }

  async put(companyId: string, preferences: AgentPreferences): Promise<void> {
    await this.rows.upsert(
      {
        companyId,
        agentId: preferences.agent_id,
        language: preferences.language ?? null,
        tone: preferences.tone ?? null,
        signature: preferences.signature ?? null,
        maxWords: preferences.max_words ?? null,
        updatedAt: new Date(preferences.updated_at),
      },
      ['companyId', 'agentId'],
    );
  }

  async deleteCompany(companyId: string): Promise<number> {
    return (await this.rows.delete({ companyId })).affected ?? 0;
  }

  countCompany(companyId: string): Promise<number> {
    return this.rows.count({ where: { companyId } });
  }

  async page({ companyId, after, limit }: StatePage): Promise<AgentPreferences[]> {
    const query = this.rows
      .createQueryBuilder('p')
      .where('p.company_id = :companyId', { companyId })
      .orderBy('p.agent_id', 'ASC')
      .take(limit);
    if (after !== undefined) query.andWhere('p.agent_id > :after', { after });
    return (await query.getMany()).map(toPreferences);
  }
}

function toPreferences(row: AgentPreferencesEntity): AgentPreferences {
  return {
    agent_id: row.agentId,
    ...(row.language !== null ? { language: row.language as TextLanguage } : {}),
    ...(row.tone !== null ? { tone: row.tone as DraftTone } : {}),
    ...(row.signature !== null ? { signature: row.signature } : {}),
    ...(row.maxWords !== null ? { max_words: row.maxWords } : {}),
    updated_at: row.updatedAt.toISOString(),
  };
}

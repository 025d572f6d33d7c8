import { Injectable } from '@nestjs/common';
import {
  CompanyEraser,
  CompanyExporter,
  ErasureCounts,
  EXPORT_PAGE_SIZE,
  ExportRecord,
  keysetRows,
} from '../../common/tenancy/company-data';
import { AgentPreferencesStore } from './ports/agent-preferences-store.port';
import { SessionStore } from './ports/session-store.port';

/** Rows per page of an export (the one pager's): one query per page, never a whole tenant in memory. */
export const STATE_EXPORT_PAGE = EXPORT_PAGE_SIZE;

/** Sessions are derived working state of the agents: erased with the other derived data (order 20). */
@Injectable()
export class SessionEraser extends CompanyEraser {
  readonly store = 'sessions';
  readonly order = 20;

  constructor(private readonly sessions: SessionStore) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return { rows: await this.sessions.deleteCompany(companyId) };
  }

  residue(companyId: string): Promise<number> {
    return this.sessions.countCompany(companyId);
  }
}

@Injectable()
export class SessionExporter extends CompanyExporter {
  readonly store = 'sessions';

  constructor(private readonly sessions: SessionStore) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    for await (const session of keysetRows({
      page: (after, limit) => this.sessions.page({ companyId, after, limit }),
      idOf: (s) => s.session_id,
    })) {
      yield {
        type: 'session',
        session_id: session.session_id,
        ticket_id: session.ticket_id,
        created_at: session.created_at,
        turns: session.turns,
      };
    }
  }
}

@Injectable()
export class PreferencesEraser extends CompanyEraser {
  readonly store = 'preferences';
  readonly order = 20;

  constructor(private readonly preferences: AgentPreferencesStore) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return { rows: await this.preferences.deleteCompany(companyId) };
  }

  residue(companyId: string): Promise<number> {
    return this.preferences.countCompany(companyId);
  }
}

@Injectable()
export class PreferencesExporter extends CompanyExporter {
  readonly store = 'preferences';

  constructor(private readonly preferences: AgentPreferencesStore) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    for await (const preferences of keysetRows({
      page: (after, limit) => this.preferences.page({ companyId, after, limit }),
      idOf: (p) => p.agent_id,
    })) {
      yield { type: 'preference', ...preferences };
    }
  }
}

import { Injectable } from '@nestjs/common';
import {
  CompanyEraser,
  CompanyExporter,
  ErasureCounts,
  ExportRecord,
} from '../../common/tenancy/company-data';
import { AgentPreferencesStore } from './ports/agent-preferences-store.port';
import { SessionStore, StatePage } from './ports/session-store.port';

/** Rows per page of an export: one query per page, never a whole tenant in memory. */
export const STATE_EXPORT_PAGE = 500;

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
    for await (const session of paged(
      (page) => this.sessions.page(page),
      companyId,
      (s) => s.session_id,
    )) {
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
    for await (const preferences of paged(
      (page) => this.preferences.page(page),
      companyId,
      (p) => p.agent_id,
    )) {
      yield { type: 'preference', ...preferences };
    }
  }
}

/** Walks a keyset-paged listing to its end, one page in memory at a time. */
async function* paged<T>(
  read: (page: StatePage) => Promise<T[]>,
  companyId: string,
  keyOf: (item: T) => string,
): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const page = await read({ companyId, after, limit: STATE_EXPORT_PAGE });
    yield* page;
    if (page.length < STATE_EXPORT_PAGE) return;
    after = keyOf(page[page.length - 1]);
  }
}

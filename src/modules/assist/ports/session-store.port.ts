import type { AssistSession } from '../domain/session';

/** A page of a company's sessions or preferences, in key order after `after`. */
export interface StatePage {
  companyId: string;
  after?: string;
  limit: number;
}

/**
 * Where agents' sessions live: state, not cache (a lost session cannot be recomputed). Every method is
 * company-scoped: another company's session id is simply absent. A session expires `ttlMs` after its last use
 * (create, a touching read, a turn) and never later than its company's `sessions_retention_hours` after it was
 * created; an expired session reads as absent until the sweep deletes it.
 */
export abstract class SessionStore {
  /** Stores a new session (with its first turn when it has one). */
  abstract create(input: { session: AssistSession; ttlMs: number }): Promise<void>;
  /** The live session, or undefined; `touchTtlMs` slides its expiry as a use does. */
  abstract find(input: {
    companyId: string;
    sessionId: string;
    touchTtlMs?: number;
  }): Promise<AssistSession | undefined>;
  /** Replaces the session's turns and slides its expiry; false when it is gone (expired or erased). */
  abstract saveTurns(input: { session: AssistSession; ttlMs: number }): Promise<boolean>;
  /** Deletes the company's expired sessions; returns how many. */
  abstract sweepExpired(companyId: string): Promise<number>;
  /** Deletes every session row of the company, expired ones included; returns how many. */
  abstract deleteCompany(companyId: string): Promise<number>;
  /** Session rows the company still has, expired ones included (an erasure's residue). */
  abstract countCompany(companyId: string): Promise<number>;
  /** The company's live sessions by id, `limit` after `after`. */
  abstract page(page: StatePage): Promise<AssistSession[]>;
}

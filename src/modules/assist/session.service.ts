import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { withinDeadline } from '../../common/async/deadline';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { MetricsService } from '../metrics/metrics.service';
import type { ConversationTurn } from '../llm/ports/chat-model.port';
import { assistKeys } from './domain/assist-keys';
import { AssistSession, newSession, SESSION_ID_PATTERN, withTurn } from './domain/session';
import { SessionStore } from './ports/session-store.port';
import { boundedStateCall } from './bounded-state-call';

const GAUGE_SWEEP_MS = 60_000;
/** Expired rows of a company are deleted at most this often per instance, on a session creation. */
const EXPIRED_SWEEP_MS = 60_000;

/** A session's copy in the cache; `unstored` while the database has never taken it. */
type SessionCopy = AssistSession & { unstored?: true };

function notFound(sessionId: string): AppError {
  return new AppError(
    ErrorCode.NotFound,
    `session '${sessionId}' not found: it expired or never existed; call POST /api/v1/init to start a new one`,
  );
}

/** A session read: the session, or none because the store did not answer (the request goes on without it). */
export type SessionLookup =
  { session: AssistSession; unavailable: false } | { session: null; unavailable: true };

/**
 * Agent sessions, state in the database (SessionStore): a sliding TTL (`CACHE_TTL_SESSION_MS`, each use extends
 * it) capped by the company's retention. Every store call is bounded (`ASSIST_STATE_TIMEOUT_MS`): a store that
 * fails or is slow never fails a request, which answers without the session (`unavailable`, reported as
 * `degraded: ["session"]`); only an answered "absent" is a 404. Every session written or read is also copied to
 * the cache's session layer, and that copy answers while the database cannot (a restart or a partition), so
 * follow-up questions keep their context through a database outage as well as through a cache outage. The
 * active-sessions gauge counts sessions this instance created or touched within the TTL.
 */
@Injectable()
export class SessionService implements OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly sweptAt = new Map<string, number>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly store: SessionStore,
    private readonly copies: LayeredCache,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    this.sweep = setInterval(() => this.reportActive(), GAUGE_SWEEP_MS);
    this.sweep.unref();
  }

  /**
   * A new session; `turn` records the first question and answer in the same write (a /query without a session).
   * When the store cannot take it, the call still answers with `stored: false`, which the route reports as
   * degraded: that id will not be found later.
   */
  async create(
    companyId: string,
    ticketId: string | null,
    turn?: ConversationTurn,
  ): Promise<{ session: AssistSession; stored: boolean }> {
    const fresh = newSession({
      sessionId: randomBytes(18).toString('base64url'),
      companyId,
      ticketId,
      now: new Date(),
    });
    const session = turn ? withTurn(fresh, turn, this.config.assist.sessionMaxQuestions) : fresh;
    const created = await this.bounded('write', () => this.store.create({ session, ttlMs: this.ttlMs() }));
    if (!created.ok) {
      // Kept in the cache, marked never stored: the first lookup that finds the database back stores it.
      this.keepCopy({ ...session, unstored: true });
      return { session, stored: false };
    }
    this.keepCopy(session);
    this.markActive(companyId, session.session_id);
    this.sweepExpired(companyId);
    return { session, stored: true };
  }

  /** The session, its TTL extended; a 404 when it is unknown, expired or another company's. */
  require(companyId: string, sessionId: string): Promise<SessionLookup> {
    return this.find(companyId, sessionId, { touch: true });
  }

  /**
   * The session without extending its TTL, for a caller that writes it next (`recordTurn` extends the
   * sliding TTL with that write): one read and one write per question. A 404 like `require`.
   */
  requireForUpdate(companyId: string, sessionId: string): Promise<SessionLookup> {
    return this.find(companyId, sessionId, { touch: false });
  }

  /**
   * Remembers a question and its answer (bounded) for follow-ups, and extends the sliding TTL. Best effort:
   * the answer is already made, so a store failure is logged and counted, and the session keeps its turns.
   */
  async recordTurn(session: AssistSession, turn: ConversationTurn): Promise<void> {
    const updated = withTurn(session, turn, this.config.assist.sessionMaxQuestions);
    const saved = await this.bounded('write', () =>
      this.store.saveTurns({ session: updated, ttlMs: this.ttlMs() }),
    );
    if (saved.ok && !saved.value) {
      this.logger.debug(`session of ${session.company_id} ended before its turn was recorded`);
      return;
    }
    // Also when the database did not take it: the next question of this session, answered from the copy while
    // the database is away, sees this turn (the database keeps the turns it last stored).
    this.keepCopy(updated);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  private async find(
    companyId: string,
    sessionId: string,
    options: { touch: boolean },
  ): Promise<SessionLookup> {
    if (!SESSION_ID_PATTERN.test(sessionId)) throw notFound(sessionId);
    const found = await this.bounded('read', () =>
      this.store.find({ companyId, sessionId, touchTtlMs: options.touch ? this.ttlMs() : undefined }),
    );
    if (!found.ok) {
      const copy = await this.readCopy(companyId, sessionId);
      if (!copy) return { session: null, unavailable: true };
      this.markActive(companyId, sessionId);
      return { session: copy, unavailable: false };
    }
    if (!found.value) {
      const adopted = await this.storeUnstored(companyId, sessionId);
      if (!adopted) throw notFound(sessionId);
      this.markActive(companyId, sessionId);
      return { session: adopted, unavailable: false };
    }
    if (options.touch) this.keepCopy(found.value);
    this.markActive(companyId, sessionId);
    return { session: found.value, unavailable: false };
  }

  /**
   * A session opened while the database did not answer lives in its copy, marked `unstored`: stored now (the
   * database answered). Only such a copy: a session the database stored and then removed (expired, past its
   * retention, erased) is never brought back from a copy. Undefined when there is none.
   */
  private async storeUnstored(companyId: string, sessionId: string): Promise<AssistSession | undefined> {
    const copy = await this.readCopy(companyId, sessionId);
    if (!copy?.unstored) return undefined;
    const { unstored: _unstored, ...session } = copy;
    const created = await this.bounded('write', () => this.store.create({ session, ttlMs: this.ttlMs() }));
    // Not taken (the database is gone again, or another lookup stored it first): still answered from the copy.
    if (created.ok) this.keepCopy(session);
    return session;
  }

  /** Replaces the session's copy in the cache (bounded by the cache's own timeout; a miss is only a lost fallback). */
  private keepCopy(session: SessionCopy): void {
    const key = assistKeys.sessionCopy({ companyId: session.company_id, sessionId: session.session_id });
    void this.copies.set(key, session, { ttlMs: this.ttlMs() }).catch((error: unknown) => {
      this.logger.debug(`session copy not kept: ${String(error)}`);
    });
  }

  private async readCopy(companyId: string, sessionId: string): Promise<SessionCopy | undefined> {
    try {
      const copy = await this.copies.get<SessionCopy>(assistKeys.sessionCopy({ companyId, sessionId }));
      // The key holds the company: a copy is never another company's; checked again as everywhere.
      return copy && copy.company_id === companyId && copy.session_id === sessionId ? copy : undefined;
    } catch {
      return undefined;
    }
  }

  /** A store call under the state deadline; a failure or timeout is logged, counted and returned, never thrown. */
  private bounded<T>(
    operation: 'read' | 'write',
    work: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    return boundedStateCall({
      store: 'session',
      operation,
      timeoutMs: this.config.assist.stateTimeoutMs,
      metrics: this.metrics,
      logger: this.logger,
      consequence: ', going on without the session',
      work,
    });
  }

  /** Deletes the company's expired sessions now and then, off the request path. */
  private sweepExpired(companyId: string): void {
    const now = Date.now();
    if ((this.sweptAt.get(companyId) ?? 0) > now - EXPIRED_SWEEP_MS) return;
    this.sweptAt.set(companyId, now);
    void withinDeadline(this.store.sweepExpired(companyId), this.config.assist.stateTimeoutMs).then(
      (timed) => {
        if (!timed.ok) this.logger.debug(`expired sessions of ${companyId} not swept (${timed.reason})`);
      },
    );
  }

  private ttlMs(): number {
    return this.config.cache.ttlMs.session;
  }

  private markActive(companyId: string, sessionId: string): void {
    let sessions = this.seen.get(companyId);
    if (!sessions) this.seen.set(companyId, (sessions = new Map()));
    sessions.set(sessionId, Date.now() + this.ttlMs());
    this.metrics.setActiveSessions({ companyId, count: sessions.size });
  }

  private reportActive(): void {
    const now = Date.now();
    for (const [companyId, sessions] of this.seen) {
      for (const [id, expiresAt] of sessions) if (expiresAt <= now) sessions.delete(id);
      this.metrics.setActiveSessions({ companyId, count: sessions.size });
      if (sessions.size === 0) this.seen.delete(companyId);
    }
    for (const [companyId, at] of this.sweptAt)
      if (at <= now - EXPIRED_SWEEP_MS) this.sweptAt.delete(companyId);
  }
}

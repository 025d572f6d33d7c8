import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { MetricsService } from '../metrics/metrics.service';
import { assistKeys } from './domain/assist-keys';
import type { ConversationTurn } from '../llm/ports/chat-model.port';
import { AssistSession, newSession, SESSION_ID_PATTERN, withTurn } from './domain/session';

const GAUGE_SWEEP_MS = 60_000;

function notFound(sessionId: string): AppError {
  return new AppError(
    ErrorCode.NotFound,
    `session '${sessionId}' not found: it expired or never existed; call POST /api/v1/init to start a new one`,
  );
}

/**
 * Agent sessions in the session cache layer (2 h sliding TTL: every read extends it). A session belongs to
 * one company: its key is built with the caller's company, so another company's id is simply not found.
 * The active-sessions gauge counts sessions this instance created or touched within the TTL.
 */
@Injectable()
export class SessionService implements OnModuleDestroy {
  private readonly logger = new Logger('Sessions');
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly cache: LayeredCache,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    this.sweep = setInterval(() => this.reportActive(), GAUGE_SWEEP_MS);
    this.sweep.unref();
  }

  /**
   * A new session; `turn` records the first question and answer in the same write (a /query without a session).
   * When the session store cannot take it, the call still answers (the sidebar keeps working while Redis is
   * down) with `stored: false`, which the route reports as degraded: that id will not be found later.
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
    try {
      await this.cache.writeState(assistKeys.session({ companyId, sessionId: session.session_id }), session);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.logger.warn(`session of ${companyId} not stored: ${error.message}`);
      return { session, stored: false };
    }
    this.markActive(companyId, session.session_id);
    return { session, stored: true };
  }

  /** The session, its TTL extended; a 404 when it is unknown, expired or another company's. */
  async require(companyId: string, sessionId: string): Promise<AssistSession> {
    return this.find(companyId, sessionId, { touch: true });
  }

  private async find(
    companyId: string,
    sessionId: string,
    options: { touch: boolean },
  ): Promise<AssistSession> {
    const key = assistKeys.session({ companyId, sessionId });
    if (!SESSION_ID_PATTERN.test(sessionId)) throw notFound(sessionId);
    // A store failure is a 503 (retry), never a 404: only an answered "absent" means the session is gone.
    const session = await this.cache.readState<AssistSession>(key, { touch: options.touch });
    if (!session || session.company_id !== companyId) throw notFound(sessionId);
    this.markActive(companyId, sessionId);
    return session;
  }

  /**
   * The session without extending its TTL, for a caller that writes it next (`recordTurn` extends the
   * sliding TTL with that write): one read and one write per question instead of a touch and a write.
   * A 404 like `require`.
   */
  async requireForUpdate(companyId: string, sessionId: string): Promise<AssistSession> {
    return this.find(companyId, sessionId, { touch: false });
  }

  /**
   * Remembers a question and its answer (bounded) for follow-ups, and extends the sliding TTL. Best effort:
   * a store failure is logged and the session keeps its previous turns and expiry.
   */
  async recordTurn(session: AssistSession, turn: ConversationTurn): Promise<void> {
    const updated = withTurn(session, turn, this.config.assist.sessionMaxQuestions);
    await this.cache
      .writeState(
        assistKeys.session({ companyId: session.company_id, sessionId: session.session_id }),
        updated,
      )
      .catch((error: unknown) => this.logger.warn(`turn not recorded in session: ${String(error)}`));
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  private markActive(companyId: string, sessionId: string): void {
    let sessions = this.seen.get(companyId);
    if (!sessions) this.seen.set(companyId, (sessions = new Map()));
    sessions.set(sessionId, Date.now() + this.config.cache.ttlMs.session);
    this.metrics.setActiveSessions({ companyId, count: sessions.size });
  }

  private reportActive(): void {
    const now = Date.now();
    for (const [companyId, sessions] of this.seen) {
      for (const [id, expiresAt] of sessions) if (expiresAt <= now) sessions.delete(id);
      this.metrics.setActiveSessions({ companyId, count: sessions.size });
      if (sessions.size === 0) this.seen.delete(companyId);
    }
  }
}

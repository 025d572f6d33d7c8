import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { MetricsService } from '../metrics/metrics.service';
import { assistKeys } from './domain/assist-keys';
import { AssistSession, newSession, SESSION_ID_PATTERN, withQuestion } from './domain/session';

const GAUGE_SWEEP_MS = 60_000;

/**
 * Agent sessions in the session cache layer (2 h sliding TTL: every read extends it). A session belongs to
 * one company: its key is built with the caller's company, so another company's id is simply not found.
 * The active-sessions gauge counts sessions this instance created or touched within the TTL.
 */
@Injectable()
export class SessionService implements OnModuleDestroy {
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

  async create(companyId: string, ticketId: string | null): Promise<AssistSession> {
    const session = newSession({
      sessionId: randomBytes(18).toString('base64url'),
      companyId,
      ticketId,
      now: new Date(),
    });
    await this.cache.set(assistKeys.session({ companyId, sessionId: session.session_id }), session);
    this.markActive(companyId, session.session_id);
    return session;
  }

  /** The session, its TTL extended; a 404 when it is unknown, expired or another company's. */
  async require(companyId: string, sessionId: string): Promise<AssistSession> {
    const session = SESSION_ID_PATTERN.test(sessionId)
      ? await this.cache.getAndTouch<AssistSession>(assistKeys.session({ companyId, sessionId }))
      : undefined;
    if (!session || session.company_id !== companyId) {
      throw new AppError(
        ErrorCode.NotFound,
        `session '${sessionId}' not found: it expired or never existed; call POST /api/v1/init to start a new one`,
      );
    }
    this.markActive(companyId, sessionId);
    return session;
  }

  /** Remembers a question (bounded); best effort, like every cache write. */
  async recordQuestion(session: AssistSession, question: string): Promise<void> {
    const updated = withQuestion(session, question, this.config.assist.sessionMaxQuestions);
    await this.cache.set(
      assistKeys.session({ companyId: session.company_id, sessionId: session.session_id }),
      updated,
    );
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

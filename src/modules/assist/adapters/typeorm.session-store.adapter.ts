import { DataSource, MoreThan, Repository } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';
import { AssistSessionEntity } from '../../../database/entities';
import type { AssistSession } from '../domain/session';
import { SessionStore, StatePage } from '../ports/session-store.port';


/** Sessions in the `assist_session` table (SQLite or PostgreSQL); every statement names the company. */
export class TypeOrmSessionStore extends SessionStore {
  private readonly rows: Repository<AssistSessionEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.rows = db.getRepository(AssistSessionEntity);
  }

  /**
   * One statement: the session row with its retention cap computed from the company's policy in the same
   * INSERT (no policy, or no company row: no cap), and the expiry never past the cap.
   */
  async create({ session, ttlMs }: { session: AssistSession; ttlMs: number }): Promise<void> {
    const createdAt = new Date(session.created_at);
    const expiresAt = new Date(this.now().getTime() + ttlMs);
    const turns = JSON.stringify(session.turns);
    if (this.db.options.type === 'postgres') {
      await this.db.query(
        `INSERT INTO assist_session (company_id, session_id, ticket_id, turns, created_at, expires_at, retain_until)
         SELECT $1, $2, $3, $4, $5::timestamptz, CASE WHEN r.until < $6::timestamptz THEN r.until ELSE $6::timestamptz END, r.until
           FROM (SELECT $5::timestamptz + (SELECT sessions_retention_hours FROM company WHERE id = $1) * interval '1 hour' AS until) r`,
        [session.company_id, session.session_id, session.ticket_id ?? null, turns, createdAt, expiresAt],
      );
      return;
    }
    // SQLite keeps TypeORM's UTC 'YYYY-MM-DD HH:MM:SS.SSS' text, which strftime writes and compares in order.
    const created = DateUtils.mixedDateToUtcDatetimeString(createdAt);
    const expires = DateUtils.mixedDateToUtcDatetimeString(expiresAt);
    await this.db.query(
      `INSERT INTO assist_session (company_id, session_id, ticket_id, turns, created_at, expires_at, retain_until)
       SELECT ?, ?, ?, ?, ?, CASE WHEN r.until < ? THEN r.until ELSE ? END, r.until
         FROM (SELECT strftime('%Y-%m-%d %H:%M:%f', ?, '+' || (SELECT sessions_retention_hours FROM company WHERE id = ?) || ' hours') AS until) r`,
      [
        session.company_id,
        session.session_id,
        session.ticket_id ?? null,
        turns,
        created,
        expires,
        expires,
        created,
        session.company_id,
      ],
    );
  }

  async find(input: {
    companyId: string;
    sessionId: string;
    touchTtlMs?: number;
  }): Promise<AssistSession | undefined> {
    const { companyId, sessionId, touchTtlMs } = input;
    const now = this.now();
    const row = await this.rows.findOne({ where: { companyId, sessionId, expiresAt: MoreThan(now) } });
    if (!row) return undefined;
    if (touchTtlMs !== undefined) {
      const expiresAt = capped(new Date(now.getTime() + touchTtlMs), row.retainUntil);
      await this.rows.update({ companyId, sessionId }, { expiresAt });
    }
    return toSession(row);
  }

  async saveTurns({ session, ttlMs }: { session: AssistSession; ttlMs: number }): Promise<boolean> {
    const now = this.now();
    const result = await this.rows
      .createQueryBuilder()
      .update()
      .set({
        turns: session.turns,
        // The sliding expiry, never past the retention cap.
        expiresAt: () =>
          'CASE WHEN retain_until IS NOT NULL AND retain_until < :slid THEN retain_until ELSE :slid END',
      })
      .where('company_id = :companyId AND session_id = :sessionId AND expires_at > :now', {
        companyId: session.company_id,
        sessionId: session.session_id,
        now,
      })
      .setParameter('slid', new Date(now.getTime() + ttlMs))
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async sweepExpired(companyId: string): Promise<number> {
    const result = await this.rows
      .createQueryBuilder()
      .delete()
      .where('company_id = :companyId AND expires_at <= :now', { companyId, now: this.now() })
      .execute();
    return result.affected ?? 0;
  }

  async deleteCompany(companyId: string): Promise<number> {
    return (await this.rows.delete({ companyId })).affected ?? 0;
  }

  countCompany(companyId: string): Promise<number> {
    return this.rows.count({ where: { companyId } });
  }

  async page({ companyId, after, limit }: StatePage): Promise<AssistSession[]> {
    const query = this.rows
      .createQueryBuilder('s')
      .where('s.company_id = :companyId AND s.expires_at > :now', { companyId, now: this.now() })
      .orderBy('s.session_id', 'ASC')
      .take(limit);
    if (after !== undefined) query.andWhere('s.session_id > :after', { after });
    return (await query.getMany()).map(toSession);
  }
}

function capped(expiresAt: Date, retainUntil: Date | null): Date {
  return retainUntil && retainUntil < expiresAt ? retainUntil : expiresAt;
}

function toSession(row: AssistSessionEntity): AssistSession {
  return {
    session_id: row.sessionId,
    company_id: row.companyId,
    ticket_id: row.ticketId,
    turns: row.turns,
    created_at: row.createdAt.toISOString(),
  };
}

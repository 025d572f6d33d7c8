import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export interface StoredTurn {
  question: string;
  answer: string;
}

/**
 * An agent's session (the ticket opened with /init and the recent turns): state, not cache. `expiresAt` slides
 * with use; `retainUntil` is the company's hard cap (`sessions_retention_hours` from creation), null when none.
 */
@Entity('assist_session')
@Index('ix_assist_session_expiry', ['companyId', 'expiresAt'])
export class AssistSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) companyId: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) sessionId: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) ticketId: string | null;
  @Column({ type: 'simple-json' }) turns: StoredTurn[];
  @Column({ type: Date }) createdAt: Date;
  @Column({ type: Date }) expiresAt: Date;
  @Column({ type: Date, nullable: true }) retainUntil: Date | null;
}

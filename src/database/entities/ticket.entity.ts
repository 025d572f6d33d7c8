import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { IndexState, SummarySource } from './index-state';

export interface ConversationMessage {
  from: 'customer' | 'agent';
  body: string;
  created_at: string;
}

@Entity('ticket')
@Index('ix_ticket_company_updated', ['companyId', 'updatedAt', 'ticketId'])
@Index('ix_ticket_company_created', ['companyId', 'createdAt', 'ticketId'])
@Index('ix_ticket_company_state', ['companyId', 'indexState'])
export class TicketEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) companyId: string;
  @PrimaryColumn({ type: 'varchar', length: 100 }) ticketId: string;
  @Column({ type: 'varchar', length: 500 }) subject: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 16 }) status: string;
  @Column({ type: 'varchar', length: 16 }) priority: string;
  @Column({ type: 'simple-json' }) tags: string[];
  @Column({ type: 'simple-json', nullable: true }) conversations: ConversationMessage[] | null;
  @Column({ type: Date }) createdAt: Date;
  @Column({ type: Date }) updatedAt: Date;
  /** Hash of every indexable field; an upsert with the same hash and updated_at is `unchanged`. */
  @Column({ type: 'varchar', length: 64 }) contentHash: string;
  /** The content hash that the stored summary and vector were built from. */
  @Column({ type: 'varchar', length: 64, nullable: true }) indexedHash: string | null;
  @Column({ type: 'text', nullable: true }) summary: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) summarySource: SummarySource | null;
  @Column({ type: 'varchar', length: 16 }) indexState: IndexState;
  @Column({ type: 'text', nullable: true }) indexError: string | null;
  @Column({ type: Date, nullable: true }) indexedAt: Date | null;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('company')
export class CompanyEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @CreateDateColumn({ type: Date }) createdAt: Date;
  /** Tickets last updated longer ago are deleted by the retention job; null keeps them. */
  @Column({ type: 'integer', nullable: true }) ticketsRetentionDays: number | null;
  /** Sessions live at most this long, however often they are read; null: the session TTL alone. */
  @Column({ type: 'integer', nullable: true }) sessionsRetentionHours: number | null;
  /** Set when an erasure was requested: its keys are revoked and the erase job (re-enqueued if lost) runs. */
  @Column({ type: Date, nullable: true }) erasingSince: Date | null;
}

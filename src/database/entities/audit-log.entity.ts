import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One admin action: who (the key's id), when, what and on which target. Kept when a company is erased. */
@Entity('audit_log')
@Index('ix_audit_log_at', ['at', 'id'])
export class AuditLogEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: Date }) at: Date;
  @Column({ type: 'varchar', length: 100 }) actorKeyId: string;
  @Column({ type: 'varchar', length: 50 }) action: string;
  @Column({ type: 'varchar', length: 50, nullable: true }) companyId: string | null;
  @Column({ type: 'varchar', length: 200 }) target: string;
  @Column({ type: 'simple-json', nullable: true }) details: Record<string, unknown> | null;
}

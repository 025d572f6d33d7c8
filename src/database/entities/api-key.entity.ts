import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('api_key')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Index('ix_api_key_company') @Column({ type: 'varchar', length: 50 }) companyId: string;
  @Index('ix_api_key_prefix') @Column({ type: 'varchar', length: 16 }) prefix: string;
  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column({ type: 'varchar', length: 64 }) hash: string;
  @Column({ type: Date }) createdAt: Date;
  @Column({ type: Date, nullable: true }) revokedAt: Date | null;
}

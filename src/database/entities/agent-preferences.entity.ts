import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An agent's draft preferences, replaced as a whole by PUT; kept until replaced or the company is erased. */
@Entity('agent_preferences')
export class AgentPreferencesEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) companyId: string;
  @PrimaryColumn({ type: 'varchar', length: 100 }) agentId: string;
  @Column({ type: 'varchar', length: 8, nullable: true }) language: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) tone: string | null;
  @Column({ type: 'text', nullable: true }) signature: string | null;
  @Column({ type: 'integer', nullable: true }) maxWords: number | null;
  @Column({ type: Date }) updatedAt: Date;
}

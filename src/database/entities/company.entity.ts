import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('company')
export class CompanyEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @CreateDateColumn({ type: Date }) createdAt: Date;
}

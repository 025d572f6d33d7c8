import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { IndexState, SummarySource } from './index-state';

@Entity('article')
@Index('ix_article_company_updated', ['companyId', 'updatedAt', 'articleId'])
@Index('ix_article_company_state', ['companyId', 'indexState'])
export class ArticleEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) companyId: string;
  @PrimaryColumn({ type: 'varchar', length: 100 }) articleId: string;
  @Column({ type: 'varchar', length: 500 }) title: string;
  @Column({ type: 'text' }) body: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) category: string | null;
  @Column({ type: 'simple-json' }) tags: string[];
  @Column({ type: Date }) updatedAt: Date;
  @Column({ type: 'varchar', length: 64 }) contentHash: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) indexedHash: string | null;
  @Column({ type: 'text', nullable: true }) summary: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) summarySource: SummarySource | null;
  @Column({ type: 'varchar', length: 16 }) indexState: IndexState;
  @Column({ type: 'text', nullable: true }) indexError: string | null;
  @Column({ type: Date, nullable: true }) indexedAt: Date | null;
}

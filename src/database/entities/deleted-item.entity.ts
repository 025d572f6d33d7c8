import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type DeletedItemType = 'tickets' | 'articles';

/**
 * The deletion outbox: written in the transaction that deletes the row, removed by the worker once the vector
 * and keyword entries are gone (`purged_at`) and a grace period has passed (a second removal then catches an
 * indexing chunk that was writing the item while it was deleted).
 */
@Entity('deleted_item')
@Index('ix_deleted_item_purge', ['companyId', 'purgedAt'])
export class DeletedItemEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 }) companyId: string;
  @PrimaryColumn({ type: 'varchar', length: 16 }) type: DeletedItemType;
  @PrimaryColumn({ type: 'varchar', length: 100 }) itemId: string;
  @Column({ type: Date }) deletedAt: Date;
  @Column({ type: Date, nullable: true }) purgedAt: Date | null;
}

import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import type { SearchDataType } from '../search/domain/search-document';
import { LexicalIndex } from '../search/ports/lexical-index.port';
import { VectorIndex } from '../search/ports/vector-index.port';
import { DeletionOutboxRepository, Tombstone } from './deletion-outbox.repository';
import type { DataType, PurgeResult } from '../jobs/jobs';

const BATCH = 500;

/**
 * Drains the deletion outbox of one company: removes the vector and keyword entries of tombstoned items, then
 * marks the tombstones purged; past the grace period it removes them once more (undoing an indexing chunk that
 * wrote an item while it was being deleted) and forgets the tombstones. Idempotent: a crash anywhere leaves the
 * tombstones for the next run (the reconciler enqueues one). An item upserted again meanwhile is put back in the
 * indexing outbox, so a purge that raced its recreation never leaves it unsearchable.
 */
@Injectable()
export class PurgeService {
  private readonly logger = new Logger('Purge');

  constructor(
    private readonly outbox: DeletionOutboxRepository,
    private readonly vectors: VectorIndex,
    private readonly lexical: LexicalIndex,
    private readonly config: AppConfig,
  ) {}

  async purgeDeleted(companyId: string): Promise<PurgeResult> {
    const result: PurgeResult = { purged: 0, recreated: 0 };
    for (;;) {
      const batch = await this.outbox.unpurged(companyId, BATCH);
      if (batch.length === 0) break;
      result.recreated += await this.removeEntries(companyId, batch);
      const marked = await this.outbox.markPurged(companyId, batch, new Date());
      result.purged += marked;
      // Every one deleted again meanwhile: the next run (its delete enqueued one) takes them.
      if (marked === 0) break;
    }
    const graceEnd = new Date(Date.now() - this.config.lifecycle.deletionGraceMs);
    for (;;) {
      const batch = await this.outbox.expired(companyId, graceEnd, BATCH);
      if (batch.length === 0) break;
      result.recreated += await this.removeEntries(companyId, batch);
      if ((await this.outbox.remove(companyId, batch)) === 0) break;
    }
    if (result.purged > 0)
      this.logger.log(`company ${companyId}: ${result.purged} deleted items purged from the indexes`);
    return result;
  }

  /** Removes the entries of every type in the batch; returns how many items had been recreated meanwhile. */
  private async removeEntries(companyId: string, batch: Tombstone[]): Promise<number> {
    let recreated = 0;
    for (const type of ['tickets', 'articles'] as const) {
      const ids = batch.filter((t) => t.type === type).map((t) => t.id);
      if (ids.length === 0) continue;
      await this.removeFromIndexes(companyId, type, ids);
      const back = await this.outbox.existing(companyId, type, ids);
      await this.outbox.markPending(companyId, type, back);
      recreated += back.length;
    }
    return recreated;
  }

  /** Both indexes; unknown ids are ignored by each, so a repeated removal is harmless. */
  async removeFromIndexes(companyId: string, type: DataType, ids: string[]): Promise<void> {
    const searchType: SearchDataType = type === 'tickets' ? 'ticket' : 'article';
    await Promise.all([
      this.vectors.delete({ companyId, type: searchType, ids }),
      this.lexical.delete({ companyId, type: searchType, ids }),
    ]);
  }
}

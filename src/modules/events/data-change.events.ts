import { Injectable, Logger } from '@nestjs/common';

export interface DataChanged {
  companyId: string;
  type: 'ticket' | 'article';
  /**
   * upserted: ids whose stored content changed and are now `pending` indexing; deleted: ids whose rows are
   * gone and whose tombstones wait for the worker to remove their vector and keyword entries.
   */
  change: 'upserted' | 'deleted';
  ids: string[];
}

export type DataChangeListener = (event: DataChanged) => void | Promise<void>;

/**
 * The seam between storing data and what follows from it (indexing, cache invalidation). Listeners run
 * after the transaction commits; a failing listener is logged and never fails the upsert, because the rows
 * are already marked `pending` and the ingest reconciler picks them up regardless.
 */
@Injectable()
export class DataChangeEvents {
  private readonly logger = new Logger('DataChangeEvents');
  private readonly listeners: DataChangeListener[] = [];

  subscribe(listener: DataChangeListener): void {
    this.listeners.push(listener);
  }

  async publish(event: DataChanged): Promise<void> {
    if (event.ids.length === 0) return;
    await Promise.all(
      this.listeners.map(async (listener) => {
        try {
          await listener(event);
        } catch (error) {
          const cause = (error as { details?: { cause?: unknown } }).details?.cause;
          this.logger.warn(
            `listener failed for ${event.type} change of ${event.companyId}: ${String(error)}${cause ? ` (${String(cause)})` : ''}`,
          );
        }
      }),
    );
  }
}

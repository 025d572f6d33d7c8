import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataChangeEvents } from '../events/data-change.events';
import { IngestProducer } from './ingest.producer';

/**
 * Upserts enqueue indexing of what changed, deletions a purge of their index entries; a failure is fine, the rows
 * stay pending (the tombstones stay) for the reconciler.
 */
@Injectable()
export class IndexingOnChangeListener implements OnModuleInit {
  constructor(
    private readonly events: DataChangeEvents,
    private readonly producer: IngestProducer,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(async (event) => {
      if (event.change === 'deleted') await this.producer.requestPurge(event.companyId);
      else await this.producer.requestIndexing(event.companyId, [event.type === 'ticket' ? 'tickets' : 'articles']);
    });
  }
}

import { Injectable, OnModuleInit } from '@nestjs/common';
import { TicketIndexedEvents } from '../events/ticket-indexed.events';
import { DataChangeEvents } from '../events/data-change.events';
import { DATA_DEPENDENT_LLM_KINDS } from './domain/cache-keys';
import { CacheInvalidator } from './ports/cache-invalidator.port';
import { CacheLayer } from './ports/layered-cache.port';

/**
 * Search results. A ticket's /init bundle and summary need nothing here: their keys carry the ticket's content
 * hash (assist-keys.ts), so a changed ticket reads fresh entries at once and the old ones age out by TTL.
 */
const DATA_LAYERS: CacheLayer[] = ['vector'];
/** A deletion also drops API-layer responses (/init bundles of other tickets cite similar ones). */
const DELETION_LAYERS: CacheLayer[] = ['vector', 'api'];
const DATA_KINDS = DATA_DEPENDENT_LLM_KINDS.map((kind) => ({ layer: 'llm' as const, kind }));

/**
 * Invalidation that follows the data. Storing a changed ticket or article bumps the company's search and
 * answer generations (the ticket's own /init bundle and summary are content-addressed); once the new version
 * has been indexed, they are bumped again, so a search that ran in between (on the old index) is not served
 * afterwards. Bumps are announced on Redis pub/sub: every API instance sees them at once.
 */
@Injectable()
export class CacheInvalidationListener implements OnModuleInit {
  constructor(
    private readonly dataChanges: DataChangeEvents,
    private readonly indexed: TicketIndexedEvents,
    private readonly invalidator: CacheInvalidator,
  ) {}

  onModuleInit(): void {
    this.dataChanges.subscribe(async ({ companyId, change }) => {
      // A deleted item may sit in any cached /init bundle (as a similar ticket or article): those go too.
      const layers = change === 'deleted' ? DELETION_LAYERS : DATA_LAYERS;
      await this.invalidator.bumpGenerations({ companyId, layers, kinds: DATA_KINDS });
    });
    // Published before Assist's prefetch of the same tickets, so the prefetch searches the new index.
    this.indexed.subscribeDocuments(async ({ companyId }) => {
      await this.invalidator.bumpGenerations({ companyId, layers: DATA_LAYERS, kinds: DATA_KINDS });
    });
  }
}

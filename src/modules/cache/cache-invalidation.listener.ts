import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TicketIndexedEvents } from '../ingest/ticket-indexed.events';
import { DataChangeEvents } from '../tickets/data-change.events';
import { DATA_DEPENDENT_LLM_KINDS, ticketKeys } from './domain/cache-keys';
import { LayeredCacheService } from './layered-cache.service';
import { CacheLayer } from './ports/layered-cache.port';

/** Past this many changed tickets, their summaries are invalidated as a kind instead of key by key. */
const MAX_SINGLE_DELETES = 100;
/** Search results; /init bundles are per ticket (deleted by key, or re-prefetched by Assist once indexed). */
const DATA_LAYERS: CacheLayer[] = ['vector'];
const DATA_KINDS = DATA_DEPENDENT_LLM_KINDS.map((kind) => ({ layer: 'llm' as const, kind }));

/**
 * Invalidation that follows the data. Storing a changed ticket or article deletes that ticket's summary and
 * /init bundle and bumps the company's search and answer generations; when the new version has been
 * indexed, the search-dependent generations are bumped again, so a search that ran in between (on the old
 * index) is not served afterwards. Bumps are announced on Redis pub/sub: every API instance sees them at once.
 */
@Injectable()
export class CacheInvalidationListener implements OnModuleInit {
  private readonly logger = new Logger('CacheInvalidation');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly cache: LayeredCacheService,
  ) {}

  onModuleInit(): void {
    // Optional: a worker has no tickets API, an API instance may run without the indexer.
    this.optional(DataChangeEvents)?.subscribe(async ({ companyId, type, ids }) => {
      const perTicket = type === 'ticket' && ids.length <= MAX_SINGLE_DELETES;
      await Promise.all([
        this.cache.bumpGenerations({
          companyId,
          layers: DATA_LAYERS,
          kinds:
            type === 'ticket' && !perTicket ? [...DATA_KINDS, { layer: 'llm', kind: 'summary' }] : DATA_KINDS,
        }),
        ...(perTicket
          ? ids.flatMap((id) => ticketKeys(companyId, id)).map((key) => this.cache.delete(key))
          : []),
      ]);
    });
    // Published before Assist's prefetch of the same tickets, so the prefetch searches the new index.
    this.optional(TicketIndexedEvents)?.subscribeDocuments(async ({ companyId }) => {
      await this.cache.bumpGenerations({ companyId, layers: DATA_LAYERS, kinds: DATA_KINDS });
    });
  }

  private optional<T>(token: new (...args: never[]) => T): T | undefined {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch {
      this.logger.debug(`${token.name} not in this application: not listening`);
      return undefined;
    }
  }
}

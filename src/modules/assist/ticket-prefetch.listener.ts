import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import pLimit from 'p-limit';
import { AppConfig } from '../../config/config';
import { LayeredCache } from '../cache/ports/layered-cache.port';
import { TicketIndexed, TicketIndexedEvents } from '../events/ticket-indexed.events';
import { InitBundleService } from './init-bundle.service';

/** Tickets of one company waiting for their prefetch: insertion-ordered, so the oldest go first when full. */
interface Waiting {
  ids: Set<string>;
  firstAt: number;
  timer: NodeJS.Timeout;
  flushed: Promise<void>;
  flush: () => void;
}

/**
 * Builds and caches the /init bundle of freshly indexed tickets, so an agent opening one is served from
 * cache. Runs in whichever process indexes (the worker in services mode) and writes to the shared cache.
 * Coalesced per company (see `prefetchQuietMs`): a bulk ingest prefetches its most recent tickets once it goes
 * quiet instead of building bundles that the next chunk drops. Bounded concurrency; a failure is logged and
 * never fails the indexing job.
 */
@Injectable()
export class TicketPrefetchListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AssistPrefetch');
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly pending = new Set<Promise<void>>();
  private readonly dropping = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, Waiting>();
  private prefetched = 0;

  constructor(
    private readonly bundles: InitBundleService,
    private readonly cache: LayeredCache,
    private readonly events: TicketIndexedEvents,
    private readonly config: AppConfig,
  ) {
    this.limit = pLimit(config.assist.prefetchConcurrency);
  }

  onModuleInit(): void {
    // Not awaited: indexing must not wait for bundles (whenIdle() is there for tests and benchmarks).
    this.events.subscribeDocuments((event) => this.dropBundles(event.companyId));
    if (!this.config.assist.prefetchEnabled) return;
    this.events.subscribe((event) => this.schedule(event));
  }

  /** Resolves when every prefetch scheduled or started so far has finished. */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0 || this.dropping.size > 0 || this.waiting.size > 0) {
      await Promise.all([
        ...this.pending,
        ...this.dropping.values(),
        ...[...this.waiting.values()].map((w) => w.flushed),
      ]);
    }
  }

  onModuleDestroy(): void {
    // Nothing is lost by not building them: a bundle is built on its first /init anyway.
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.flush();
    }
    this.waiting.clear();
  }

  private schedule(event: TicketIndexed): void {
    const { prefetchQuietMs, prefetchMaxDelayMs, prefetchMaxTickets } = this.config.assist;
    const { companyId } = event;
    let waiting = this.waiting.get(companyId);
    if (waiting) clearTimeout(waiting.timer);
    else {
      let flush!: () => void;
      const flushed = new Promise<void>((resolve) => (flush = resolve));
      waiting = { ids: new Set(), firstAt: Date.now(), timer: undefined as never, flushed, flush };
      this.waiting.set(companyId, waiting);
    }
    for (const id of event.ticketIds) {
      waiting.ids.delete(id);
      waiting.ids.add(id);
    }
    for (const id of waiting.ids) {
      if (waiting.ids.size <= prefetchMaxTickets) break;
      waiting.ids.delete(id);
    }
    const due = Math.max(0, Math.min(prefetchQuietMs, waiting.firstAt + prefetchMaxDelayMs - Date.now()));
    const current = waiting;
    // Each new chunk clears the previous timer, so the one that fires owns the company's entry.
    current.timer = setTimeout(() => {
      this.waiting.delete(companyId);
      const done = this.prefetch({ companyId, ticketIds: [...current.ids] }).finally(() =>
        this.pending.delete(done),
      );
      this.pending.add(done);
      current.flush();
    }, due);
  }

  /**
   * Bundles list similar tickets and articles, which freshly indexed documents may now be: every bundle of
   * the company is dropped (API layer) when tickets or articles are indexed; the prefetch that follows for
   * tickets waits for it, other bundles are rebuilt on their next /init.
   */
  private dropBundles(companyId: string): void {
    const previous = this.dropping.get(companyId) ?? Promise.resolve();
    const drop = previous
      // The vector layer too: the cache's own listener drops search results on the same event, but listeners
      // run in no set order, and a bundle rebuilt from old results would be cached for the API layer's TTL.
      .then(() => this.cache.invalidate(companyId, ['api', 'vector']))
      .then(
        () => undefined,
        (error: unknown) =>
          this.logger.warn(`dropping the /init bundles of ${companyId} failed: ${String(error)}`),
      )
      .finally(() => {
        if (this.dropping.get(companyId) === drop) this.dropping.delete(companyId);
      });
    this.dropping.set(companyId, drop);
  }

  /** Resolves once every bundle of the event is built (or has failed). */
  async prefetch(event: TicketIndexed): Promise<void> {
    await this.dropping.get(event.companyId);
    await Promise.all(
      event.ticketIds.map((ticketId) =>
        this.limit(async () => {
          try {
            // Embedded mode builds bundles from in-process indexes without real I/O: one macrotask turn per
            // bundle, or a chunk's prefetch runs in microtasks and holds every request of the process.
            await new Promise<void>((resolve) => setImmediate(resolve));
            await this.bundles.bundle({
              companyId: event.companyId,
              ticketId,
              refresh: true,
              deadlineMs: this.config.assist.prefetchDeadlineMs,
            });
            this.prefetched++;
          } catch (error) {
            this.logger.warn(`prefetch of ${event.companyId}/${ticketId} failed: ${String(error)}`);
          }
        }),
      ),
    );
  }

  get count(): number {
    return this.prefetched;
  }
}

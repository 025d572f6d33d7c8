import { Injectable, Logger } from '@nestjs/common';
import { CacheGuard } from '../../common/async/cache-guard';
import { MetricsService } from '../metrics/metrics.service';
import { CacheStatsService, LookupOutcome } from './cache-stats.service';
import { InvalidationPendingError } from './generation-tracker';
import type { CacheCredit, CacheKey, CacheLayer } from './ports/layered-cache.port';

export type StoreOperation = 'get' | 'set' | 'delete';

/**
 * The one place the cache records what it did: lookups (stats, savings ledger and metrics), store calls
 * (ok or error) and invalidations. Failures are logged at most once a second: an outage must not flood the log.
 */
@Injectable()
export class CacheRecorder {
  private readonly logger = new Logger('LayeredCache');
  private lastWarning = 0;

  constructor(
    private readonly stats: CacheStatsService,
    private readonly metrics: MetricsService,
  ) {}

  /** A lookup's outcome; a hit's credit (what computing the value cost) goes to the savings ledger. */
  lookup(key: CacheKey, outcome: LookupOutcome, credit?: CacheCredit): void {
    const { layer, companyId } = key;
    this.stats.recordLookup({ layer, companyId, outcome });
    this.metrics.recordCacheOperation({ operation: 'get', result: outcome, cacheType: layer });
    if (outcome !== 'miss' && credit && (credit.tokens > 0 || credit.costUsd > 0))
      this.stats.recordSavings({ layer, companyId, credit });
  }

  /** Runs one store call: a write that lands is counted ok (a read counts as `lookup`); a failure is reported and rethrown. */
  async track<R>(operation: StoreOperation, layer: CacheLayer, call: () => Promise<R>): Promise<R> {
    try {
      const result = await call();
      if (operation !== 'get')
        this.metrics.recordCacheOperation({ operation, result: 'ok', cacheType: layer });
      return result;
    } catch (error) {
      this.metrics.recordCacheOperation({ operation, result: 'error', cacheType: layer });
      // An open breaker or an owed invalidation was reported when it began: not once per lookup.
      if (!CacheGuard.isOpen(error) && !(error instanceof InvalidationPendingError))
        this.warn(`cache ${operation} failed: ${String(error)}`);
      throw error;
    }
  }

  invalidations(layers: CacheLayer[], result: 'ok' | 'error'): void {
    for (const layer of layers)
      this.metrics.recordCacheOperation({ operation: 'invalidate', result, cacheType: layer });
  }

  warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 1_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

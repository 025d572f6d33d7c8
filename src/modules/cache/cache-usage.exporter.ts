import { Injectable, Logger } from '@nestjs/common';
import { CompanyExporter, ExportRecord } from '../../common/tenancy/company-data';
import { CacheStatsService } from './cache-stats.service';

/**
 * The company's cache counters, kept in the cache store for every instance: lookups per layer and savings.
 * They are the cache store's bookkeeping, not records the company wrote: when the store does not answer, the
 * line says `unavailable: true` (and the end line `degraded: ["cache"]`) and the export goes on.
 */
@Injectable()
export class CacheUsageExporter extends CompanyExporter {
  readonly store = 'usage';
  private readonly logger = new Logger('CacheUsageExporter');

  constructor(private readonly stats: CacheStatsService) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    const counters = await this.stats.companyCounters(companyId).catch((error: unknown) => {
      this.logger.warn(`cache counters of ${companyId} not exported (cache store unavailable): ${String(error)}`);
      return undefined;
    });
    yield counters
      ? { type: 'usage', source: 'cache', lookups: counters.lookups, savings: counters.savings }
      : { type: 'usage', source: 'cache', unavailable: true };
  }
}

import { Injectable } from '@nestjs/common';
import { CompanyExporter, ExportRecord } from '../../common/tenancy/company-data';
import { CacheStatsService } from './cache-stats.service';

/** The company's cache counters, kept in the cache store for every instance: lookups per layer and savings. */
@Injectable()
export class CacheUsageExporter extends CompanyExporter {
  readonly store = 'usage';

  constructor(private readonly stats: CacheStatsService) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    const { lookups, savings } = await this.stats.companyCounters(companyId);
    yield { type: 'usage', source: 'cache', lookups, savings };
  }
}

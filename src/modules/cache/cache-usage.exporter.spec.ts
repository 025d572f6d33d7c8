import { Logger } from '@nestjs/common';
import { ExportRecord } from '../../common/tenancy/company-data';
import { CacheUsageExporter } from './cache-usage.exporter';
import type { CacheStatsService } from './cache-stats.service';

async function records(exporter: CacheUsageExporter, companyId: string): Promise<ExportRecord[]> {
  const out: ExportRecord[] = [];
  for await (const record of exporter.exportRecords(companyId)) out.push(record);
  return out;
}

describe('CacheUsageExporter', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it("exports the company's lookups and savings as one usage line", async () => {
    const counters = {
      lookups: { response: { hits: 3, stale: 1, misses: 2 } },
      savings: { hits: 4, tokens: 900, cost_usd: 0.0012 },
    };
    const stats = { companyCounters: async (id: string) => (id === 'acme' ? counters : undefined) };
    expect(await records(new CacheUsageExporter(stats as unknown as CacheStatsService), 'acme')).toEqual([
      { type: 'usage', source: 'cache', ...counters },
    ]);
  });

  // Seen in CI: a Redis command timed out (the event loop was busy) and the whole export was cut. The
  // counters are the cache store's, not the company's records: the export goes on and says what it lacks.
  it('says the counters are unavailable when the cache store fails, instead of cutting the export', async () => {
    const stats = {
      companyCounters: async () => {
        throw new Error('Command timed out');
      },
    };
    expect(await records(new CacheUsageExporter(stats as unknown as CacheStatsService), 'acme')).toEqual([
      { type: 'usage', source: 'cache', unavailable: true },
    ]);
  });
});

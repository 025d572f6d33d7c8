import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { CacheSavingsDto, CacheStatsDto } from './admin/admin-cache.dto';
import { cacheLayerPrefix } from './domain/cache-keys';
import { CacheStore, CounterIncrements } from '../cache-store/ports/cache-store.port';
import { CACHE_LAYERS, CacheCredit, CacheLayer } from './ports/layered-cache.port';

export type LookupOutcome = 'hit' | 'stale' | 'miss';

const ALL = 'cachestat:all';
const companyHash = (companyId: string) => `cachestat:co:${companyId}`;

/**
 * Hit/miss counts per layer and company and the savings ledger (tokens and estimated cost a hit avoided).
 * Counted in process and added to the store every CACHE_STATS_FLUSH_MS with HINCRBY, so every instance's
 * counts add up in Redis without a round trip per request.
 */
@Injectable()
export class CacheStatsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CacheStats');
  private pending: CounterIncrements = {};
  private readonly local = new Map<string, { hits: number; lookups: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: CacheStore,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.cache.statsFlushMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  recordLookup(input: { layer: CacheLayer; companyId: string; outcome: LookupOutcome }): void {
    const { layer, companyId, outcome } = input;
    const field = `${layer}:${outcome}`;
    this.add(ALL, field, 1);
    this.add(companyHash(companyId), field, 1);
    const key = `${layer}\u0000${companyId}`;
    const seen = this.local.get(key) ?? { hits: 0, lookups: 0 };
    seen.lookups += 1;
    if (outcome !== 'miss') seen.hits += 1;
    this.local.set(key, seen);
  }

  /** Credits what a hit avoided to the company's ledger and to llm_cost_avoided_usd_total. */
  recordSavings(input: { layer: CacheLayer; companyId: string; credit: CacheCredit }): void {
    const { layer, companyId, credit } = input;
    for (const hash of [ALL, companyHash(companyId)]) {
      this.add(hash, 'savings:hits', 1);
      this.add(hash, 'savings:tokens', Math.round(credit.tokens));
      this.add(hash, 'savings:cost_usd', credit.costUsd);
    }
    this.metrics.recordCostAvoided({ cacheType: layer, companyId, costUsd: credit.costUsd });
  }

  /**
   * Company erasure: drops this instance's unflushed counts and the company's counter hash in the store.
   * Returns 1 if the store held one. Hit-rate gauges of the company are forgotten here too.
   */
  async forgetCompany(companyId: string): Promise<number> {
    delete this.pending[companyHash(companyId)];
    for (const key of [...this.local.keys()]) if (key.endsWith(`\u0000${companyId}`)) this.local.delete(key);
    return this.store.deleteCounters(companyHash(companyId));
  }

  /** 1 while the store holds the company's counter hash (the erasure's residue). */
  async hasCompanyCounters(companyId: string): Promise<number> {
    return Object.keys(await this.store.readCounters(companyHash(companyId))).length > 0 ? 1 : 0;
  }

  /** The company's savings ledger, including counts not yet flushed by this instance. */
  async savings(companyId: string): Promise<CacheSavingsDto> {
    await this.flush();
    return toSavings(await this.store.readCounters(companyHash(companyId)));
  }

  /** The company's lookup counts per layer and savings ledger (the export's `usage` line of the cache). */
  async companyCounters(
    companyId: string,
  ): Promise<{ lookups: CacheStatsDto['lookups']; savings: CacheSavingsDto }> {
    await this.flush();
    const counters = await this.store.readCounters(companyHash(companyId));
    const lookups: CacheStatsDto['lookups'] = {};
    for (const layer of CACHE_LAYERS) {
      const hits = counters[`${layer}:hit`] ?? 0;
      const stale = counters[`${layer}:stale`] ?? 0;
      const misses = counters[`${layer}:miss`] ?? 0;
      if (hits + stale + misses > 0) lookups[layer] = { hits, stale, misses };
    }
    return { lookups, savings: toSavings(counters) };
  }

  async snapshot(filter: { companyId?: string } = {}): Promise<CacheStatsDto> {
    await this.flush();
    try {
      const counters = await this.store.readCounters(filter.companyId ? companyHash(filter.companyId) : ALL);
      const keyDistribution = {} as Record<CacheLayer, number>;
      for (const layer of CACHE_LAYERS) {
        const prefix = filter.companyId ? cacheLayerPrefix(layer, filter.companyId) : `${layer}:`;
        let n = 0;
        for await (const batch of this.store.scan(prefix, this.config.cache.sweepBatch)) n += batch.length;
        keyDistribution[layer] = n;
      }
      const info = await this.store.info();
      const lookups: CacheStatsDto['lookups'] = {};
      const byType: CacheStatsDto['hit_ratio_by_type'] = {};
      let hitsAll = 0;
      let lookupsAll = 0;
      for (const layer of CACHE_LAYERS) {
        const hits = counters[`${layer}:hit`] ?? 0;
        const stale = counters[`${layer}:stale`] ?? 0;
        const misses = counters[`${layer}:miss`] ?? 0;
        if (hits + stale + misses === 0) continue;
        lookups[layer] = { hits, stale, misses };
        byType[layer] = ratio(hits + stale, hits + stale + misses);
        hitsAll += hits + stale;
        lookupsAll += hits + stale + misses;
      }
      return {
        total_keys: Object.values(keyDistribution).reduce((a, b) => a + b, 0),
        memory_usage_mb: Math.round((info.usedMemoryBytes / 1_048_576) * 100) / 100,
        hit_ratio: ratio(hitsAll, lookupsAll),
        hit_ratio_by_type: byType,
        key_distribution: keyDistribution,
        connected_clients: info.connectedClients,
        lookups,
        savings: toSavings(counters),
        store: info.store,
      };
    } catch (error) {
      throw AppError.unavailable('cache store', error);
    }
  }

  /** Adds this instance's counts to the store; on failure they are kept for the next flush. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = {};
    for (const [key, { hits, lookups }] of this.local) {
      const [layer, companyId] = key.split('\u0000');
      this.metrics.setCacheHitRate({
        cacheType: layer as CacheLayer,
        companyId,
        percent: (100 * hits) / lookups,
      });
    }
    if (Object.keys(batch).length === 0) return;
    try {
      await this.store.addCounters(batch);
    } catch (error) {
      for (const [hash, fields] of Object.entries(batch)) {
        for (const [field, n] of Object.entries(fields)) this.add(hash, field, n);
      }
      this.logger.warn(`cache stats not flushed (kept for the next try): ${String(error)}`);
    }
  }

  private add(hash: string, field: string, n: number): void {
    const fields = (this.pending[hash] ??= {});
    fields[field] = (fields[field] ?? 0) + n;
  }
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

function toSavings(counters: Record<string, number>): CacheSavingsDto {
  return {
    hits: counters['savings:hits'] ?? 0,
    tokens: counters['savings:tokens'] ?? 0,
    cost_usd: Math.round((counters['savings:cost_usd'] ?? 0) * 1e6) / 1e6,
  };
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { CacheStatsService } from './cache-stats.service';
import { cacheLayerPrefix } from './domain/cache-keys';
import { CacheStore } from '../cache-store/ports/cache-store.port';
import { CACHE_LAYERS } from './ports/layered-cache.port';

/**
 * Every cache layer of the company (llm, vector, session, api, prefs: SCAN by `{layer}:{company}:` from the one
 * key builder, UNLINK a batch at a time, never KEYS), its generation counters and its hit/savings counters.
 * Store calls go straight to the store (bounded by its command timeout): an erasure must fail and be retried
 * rather than be skipped by the request path's breaker.
 */
@Injectable()
export class CompanyCacheEraser extends CompanyEraser {
  readonly store = 'cache';
  readonly order = 20;

  constructor(
    private readonly cache: CacheStore,
    private readonly stats: CacheStatsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    let keys = 0;
    for (const layer of CACHE_LAYERS) {
      for await (const batch of this.cache.scan(
        cacheLayerPrefix(layer, companyId),
        this.config.cache.sweepBatch,
      )) {
        keys += await this.cache.unlink(batch);
      }
    }
    keys += await this.cache.deleteGenerations(companyId);
    keys += await this.stats.forgetCompany(companyId);
    return { cache_keys: keys };
  }

  async residue(companyId: string): Promise<number> {
    let n = 0;
    for (const layer of CACHE_LAYERS) {
      for await (const batch of this.cache.scan(
        cacheLayerPrefix(layer, companyId),
        this.config.cache.sweepBatch,
      )) {
        n += batch.length;
      }
    }
    if (Object.keys(await this.cache.readGenerations(companyId)).length > 0) n += 1;
    return n + (await this.stats.hasCompanyCounters(companyId));
  }
}

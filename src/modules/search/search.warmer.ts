import { Injectable, OnModuleInit } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from '../../config/config';
import { SearchRequestDto, toSearchInput } from './dto/search.dto';
import { SearchController } from './search.controller';
import { SearchOutcome, SearchService } from './search.service';
import { cacheKey } from '../cache/domain/cache-keys';
import { CACHED, CachedMetadata } from '../cache/http/cached.metadata';
import { responseReplay } from '../cache/http/tenant-cache.interceptor';
import { CacheKey, LayeredCache } from '../cache/ports/layered-cache.port';
import { CacheWarmer, WarmerOutcome } from '../warming/cache-warmer.service';
import { PopularQuery } from '../warming/query-popularity.service';

/**
 * Warms `POST /api/v1/search`: runs each popular search again and stores the outcome under the key the
 * route's cache interceptor reads, so the next identical request is a HIT. Degraded (keyword-only) outcomes
 * are not stored, as on the route.
 */
@Injectable()
export class SearchWarmer implements OnModuleInit {
  constructor(
    private readonly warmer: CacheWarmer,
    private readonly search: SearchService,
    private readonly cache: LayeredCache,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.warmer.register('search', (input) => this.warm(input));
  }

  async warm(input: { companyId: string; popular: PopularQuery[] }): Promise<WarmerOutcome> {
    const outcome: WarmerOutcome = { warmed: 0, skipped: 0, failed: 0 };
    for (const popular of input.popular) {
      if (popular.kind !== 'search') continue;
      // Stored requests come back from Redis: validate them as the route would before running them.
      const { company_id: _company, ...request } = popular.request;
      const body = plainToInstance(SearchRequestDto, request);
      if (validateSync(body, { whitelist: true, forbidNonWhitelisted: true }).length > 0) {
        outcome.skipped += 1;
        continue;
      }
      try {
        let degraded = false;
        await this.cache.getOrComputeResponse<SearchOutcome>({
          key: searchCacheKey({ companyId: input.companyId, body: request, config: this.config }),
          compute: async () => {
            const value = await this.search.search(toSearchInput(input.companyId, body));
            degraded = Boolean(value.degraded);
            return value;
          },
          // Refresh even a live entry: warming runs when entries would otherwise be old.
          mode: 'no-cache',
          shouldStore: (value) => !value.degraded,
          // Stored as the route stores it: the body a hit sends.
          replay: responseReplay(searchRouteMeta()),
        });
        if (degraded) outcome.skipped += 1;
        else outcome.warmed += 1;
      } catch {
        outcome.failed += 1;
      }
    }
    return outcome;
  }
}

const SEARCH_ROUTE = '/api/v1/search';

/**
 * The key TenantCacheInterceptor gives `POST /api/v1/search` for this body: the same input shape (method,
 * route, params, query, body without company_id) and the route's own `@Cached` layer, kind and versions, read
 * from the controller's metadata so a changed decorator cannot drift from this. The e2e test "a warmed search
 * is then a HIT" holds the two together.
 */
export function searchCacheKey(input: {
  companyId: string;
  body: Record<string, unknown>;
  config: AppConfig;
}): CacheKey {
  const meta = searchRouteMeta();
  const { company_id: _company, ...body } = input.body;
  return cacheKey({
    layer: meta.layer,
    companyId: input.companyId,
    kind: meta.kind,
    input: { method: 'POST', route: SEARCH_ROUTE, params: {}, query: {}, body },
    versions: meta.versions?.(input.config),
  });
}

function searchRouteMeta(): CachedMetadata {
  const meta = Reflect.getMetadata(CACHED, SearchController.prototype.search) as CachedMetadata | undefined;
  if (!meta) throw new Error('POST /api/v1/search is not @Cached: nothing to warm');
  return meta;
}

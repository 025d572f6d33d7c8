import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { companyThrottleKey, companyThrottler } from '../../../common/rate-limit/company-throttler.guard';
import { PlainRoute, plainRoutes } from '../../../common/http/plain-routes';
import { bindTenant, claimedCompanyIds, extractKey } from '../../auth/auth.guard';
import { AppConfig } from '../../../config/config';
import { ApiKeysService } from '../../auth/api-keys.service';
import { LayeredCacheService } from '../layered-cache.service';
import type { CacheKey } from '../ports/layered-cache.port';
import { CACHED, CachedMetadata } from './cached.metadata';
import { leaveResponseLookup } from './response-lookup.handoff';
import {
  cacheMode,
  JSON_CONTENT_TYPE,
  responseCacheKey,
  TenantCacheInterceptor,
} from './tenant-cache.interceptor';

/** Cache keys remembered by request input (each entry holds the input's JSON, at most this long). */
const MAX_REMEMBERED_KEYS = 10_000;
const MAX_REMEMBERED_INPUT = 4_096;

/**
 * The hit path of `@Cached` routes, in Fastify's preHandler hook, before Nest's router: a request whose key
 * already holds a fresh response is answered here with the stored body, as it is. It does what the regular
 * path does for a hit, in the same order of decisions: the company comes from the API key alone (the
 * in-process key cache, `AUTH_CACHE_TTL_MS`), a `company_id` in the body or query must name that company,
 * the request counts against the company's rate limit under the guard's own key (batched to Redis), the
 * generation-versioned key is read behind the cache's timeout and breaker, `X-Cache: HIT` and the
 * rate-limit headers are set, and the hit is counted in stats and savings; the metrics hook times it per
 * company. Anything else — no or unknown key, a foreign company_id, input the validation pipe would refuse,
 * `Cache-Control: no-cache`/`no-store`, a miss, a stale entry, a store failure, a limited company — falls
 * through untouched to the regular path (guards, validation pipe, TenantCacheInterceptor), which answers it
 * as before. Bad input is never served from cache: only a route's successful responses are ever stored.
 */
@Injectable()
export class CachedResponseFastPath implements OnModuleInit {
  private readonly logger = new Logger('CachedResponseFastPath');
  private readonly routes = new Map<string, PlainRoute<CachedMetadata>>();
  private readonly keys = new Map<string, CacheKey>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly adapterHost: HttpAdapterHost,
    private readonly apiKeys: ApiKeysService,
    private readonly cache: LayeredCacheService,
    private readonly config: AppConfig,
    @Optional() @InjectThrottlerStorage() private readonly throttler?: ThrottlerStorage,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || !this.throttler || !this.config.cache.fastPath) return;
    const skipped = (name: string) => this.logger.debug(`${name}: not served by the fast path`);
    for (const route of plainRoutes<CachedMetadata>(this.discovery, this.scanner, {
      metadataKey: CACHED,
      interceptor: TenantCacheInterceptor,
      skipped,
    }))
      this.routes.set(route.id, route);
    if (this.routes.size === 0) return;
    // Any failure here (a key lookup with the database down, ...) leaves the request to the regular path,
    // whose guards and error filter answer it in the API's shape.
    fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply) =>
      this.serve(request, reply).catch(() => undefined),
    );
  }

  /** Resolves with the reply when it answered (Fastify then skips the handler), else with nothing. */
  private async serve(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const route = this.routes.get(`${request.method} ${request.routeOptions.url}`);
    if (!route || !this.config.cache.enabled) return undefined;
    if (cacheMode(request.headers['cache-control']) !== 'default') return undefined;
    const presented = extractKey(request);
    if (!presented) return undefined;
    const tenant = await this.apiKeys.resolve(presented);
    if (!tenant) return undefined;
    for (const [, companyId] of claimedCompanyIds(request))
      if (companyId !== tenant.companyId) return undefined;

    const key = this.cacheKey(route, request, tenant.companyId);
    if (!key) return undefined;
    const lookup = await this.cache.lookupResponse(key);
    if (!lookup) return undefined;
    // Not answered here (a miss, a stale entry, a limited company): the interceptor takes this read over.
    leaveResponseLookup(request, lookup);
    const hit = lookup.entry;
    if (!hit || Date.now() >= hit.exp) return undefined;

    const { ttl, limit } = companyThrottler(this.config);
    const throttled = await this.throttler!.increment(
      companyThrottleKey({
        className: route.className,
        handlerName: route.handlerName,
        companyId: tenant.companyId,
      }),
      ttl,
      limit,
      0,
      'default',
    );
    // Limited: the guard on the regular path counts it too (the window is over the limit already) and answers 429.
    if (throttled.isBlocked) return undefined;

    bindTenant(request, tenant);
    this.cache.recordResponseHit(key, hit.credit);
    void reply
      .code(route.statusCode)
      .header('x-ratelimit-limit', limit)
      .header('x-ratelimit-remaining', Math.max(0, limit - throttled.totalHits))
      .header('x-ratelimit-reset', throttled.timeToExpire)
      .header('x-cache', 'HIT')
      .header('content-type', JSON_CONTENT_TYPE)
      .send(hit.body);
    return reply;
  }

  /**
   * The route's cache key (responseCacheKey), remembered by the request's plain JSON: the same company, route,
   * params, query and body always give the same key, and input that passed the input inspection once passes
   * again. Spares a hot query the canonical JSON and the hash. Big inputs are not remembered.
   */
  private cacheKey(
    route: PlainRoute<CachedMetadata>,
    request: FastifyRequest,
    companyId: string,
  ): CacheKey | undefined {
    let id: string;
    try {
      id = `${companyId}\n${route.id}\n${JSON.stringify(request.params ?? {})}\n${JSON.stringify(request.query ?? {})}\n${JSON.stringify(request.body ?? null)}`;
    } catch {
      return undefined; // Nesting too deep for JSON.stringify: the regular path answers (400).
    }
    const known = this.keys.get(id);
    if (known) return known;
    const key = responseCacheKey({ meta: route.meta, request, companyId, config: this.config });
    if (key && id.length <= MAX_REMEMBERED_INPUT) {
      if (this.keys.size >= MAX_REMEMBERED_KEYS) this.keys.clear();
      this.keys.set(id, key);
    }
    return key;
  }
}

import { Injectable, Logger, OnModuleInit, Optional, RequestMethod } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { companyThrottleKey, companyThrottler } from '../../../common/rate-limit/company-throttler.guard';
import { AUTH_KIND } from '../../../common/tenancy/auth.decorators';
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

interface FastRoute {
  /** `POST /api/v1/search` */
  id: string;
  meta: CachedMetadata;
  className: string;
  handlerName: string;
  statusCode: number;
}

/** Throttle keys per company and route, so a hit hashes nothing for the rate limit. */
const MAX_THROTTLE_KEYS = 10_000;
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
  private readonly routes = new Map<string, FastRoute>();
  private readonly throttleKeys = new Map<string, string>();
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
    this.collectRoutes();
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
      this.throttleKey(route, tenant.companyId),
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
  private cacheKey(route: FastRoute, request: FastifyRequest, companyId: string): CacheKey | undefined {
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

  private throttleKey(route: FastRoute, companyId: string): string {
    const id = `${route.className}.${route.handlerName}:${companyId}`;
    let key = this.throttleKeys.get(id);
    if (key === undefined) {
      key = companyThrottleKey({ className: route.className, handlerName: route.handlerName, companyId });
      if (this.throttleKeys.size >= MAX_THROTTLE_KEYS) this.throttleKeys.clear();
      this.throttleKeys.set(id, key);
    }
    return key;
  }

  /**
   * `@Cached` handlers whose whole pipeline the fast path reproduces: tenant routes under the global guards
   * and rate limit only (no route-level guards, pipes, interceptors, throttle settings or versions).
   */
  private collectRoutes(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!controller || !instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: never[]) => unknown;
        const meta = Reflect.getMetadata(CACHED, handler) as CachedMetadata | undefined;
        if (!meta) continue;
        const path = routePath(controller, handler);
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const verb =
          method === RequestMethod.GET ? 'GET' : method === RequestMethod.POST ? 'POST' : undefined;
        if (!path || !verb || !onlyGlobalPipeline(controller, handler)) {
          this.logger.debug(`${controller.name}.${name}: not served by the fast path`);
          continue;
        }
        const statusCode =
          (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
          (verb === 'POST' ? 201 : 200);
        const id = `${verb} ${path}`;
        this.routes.set(id, { id, meta, className: controller.name, handlerName: name, statusCode });
      }
    }
  }
}

function routePath(controller: object, handler: object): string | undefined {
  const base = Reflect.getMetadata(PATH_METADATA, controller) as unknown;
  const own = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
  if (typeof base !== 'string' || typeof own !== 'string') return undefined;
  const parts = [base, own].map((part) => part.replace(/^\/+|\/+$/g, '')).filter((part) => part.length > 0);
  return `/${parts.join('/')}`;
}

function onlyGlobalPipeline(controller: object, handler: object): boolean {
  const targets = [controller, handler];
  const none = (key: string) =>
    targets.every(
      (target) => ((Reflect.getMetadata(key, target) as unknown[] | undefined) ?? []).length === 0,
    );
  const interceptors = targets.flatMap(
    (target) => (Reflect.getMetadata(INTERCEPTORS_METADATA, target) as unknown[] | undefined) ?? [],
  );
  const throttleSettings = targets.some((target) =>
    Reflect.getMetadataKeys(target).some((key) => typeof key === 'string' && key.startsWith('THROTTLER:')),
  );
  const auth = targets.map((target) => Reflect.getMetadata(AUTH_KIND, target) as string | undefined);
  return (
    none(GUARDS_METADATA) &&
    none(PIPES_METADATA) &&
    interceptors.length === 1 &&
    interceptors[0] === TenantCacheInterceptor &&
    !throttleSettings &&
    targets.every((target) => Reflect.getMetadata(VERSION_METADATA, target) === undefined) &&
    auth.every((kind) => kind === undefined || kind === 'tenant')
  );
}

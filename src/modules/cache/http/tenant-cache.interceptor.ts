import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, Observable } from 'rxjs';
import { AppConfig } from '../../../config/config';
import { inspectInput } from '../../../common/http/input-guard';
import { cacheKey } from '../domain/cache-keys';
import { CacheKey, CacheMode, LayeredCache } from '../ports/layered-cache.port';
import { CACHED, CachedMetadata } from './cached.metadata';
import { takeResponseLookup } from './response-lookup.handoff';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The tenant-aware response cache behind `@Cached(layer, kind)`. */
@Injectable()
export class TenantCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly cache: LayeredCache,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<CachedMetadata | undefined>(CACHED, context.getHandler());
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const companyId = request.tenant?.companyId;
    if (!meta || !companyId) return next.handle();
    const lookup = takeResponseLookup(request);
    const handed =
      lookup &&
      lookup.key.companyId === companyId &&
      lookup.key.layer === meta.layer &&
      lookup.key.kind === meta.kind
        ? lookup
        : undefined;
    const key = handed?.key ?? responseCacheKey({ meta, request, companyId, config: this.config });
    if (!key) return next.handle();

    const result = this.cache.getOrComputeResponse<unknown>({
      key,
      compute: () => lastValueFrom(next.handle(), { defaultValue: undefined }),
      mode: cacheMode(request.headers['cache-control']),
      shouldStore: (value) => value !== undefined && (meta.shouldStore?.(value) ?? true),
      staleWhileRevalidateMs: meta.staleWhileRevalidate ? this.config.cache.swrGraceMs : undefined,
      replay: responseReplay(meta),
      lookup: handed,
    });
    return from(result).pipe(
      map((outcome) => {
        const reply = http.getResponse<FastifyReply>();
        reply.header('x-cache', outcome.status);
        if (outcome.status === 'MISS') return outcome.value;
        // The stored body is JSON already: Fastify sends a string with a JSON content type as it is.
        reply.header('content-type', JSON_CONTENT_TYPE);
        return outcome.body;
      }),
    );
  }
}

/**
 * The key of a cached route's response: method, route, params, canonical query and body (without a
 * `company_id`, which the auth guard already matched) and the authenticated company. Undefined when the
 * request is not cacheable: another method, or input the validation pipe will refuse (absurd nesting would
 * overflow the key's canonical JSON), which then goes to the pipe uncached and gets its 400.
 */
export function responseCacheKey(input: {
  meta: CachedMetadata;
  request: FastifyRequest;
  companyId: string;
  config: AppConfig;
}): CacheKey | undefined {
  const { meta, request, companyId } = input;
  if (request.method !== 'GET' && request.method !== 'POST') return undefined;
  if (inspectInput(request.body).length > 0 || inspectInput(request.query).length > 0) return undefined;
  return cacheKey({
    layer: meta.layer,
    companyId,
    kind: meta.kind,
    input: {
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      params: request.params ?? {},
      query: withoutCompany(request.query),
      body: request.method === 'POST' ? withoutCompany(request.body) : undefined,
    },
    versions: meta.versions?.(input.config),
  });
}

/** What a hit sends: the value as the route returned it, with `cached: true` when the route marks replays. */
export function responseReplay(meta: CachedMetadata): (value: unknown) => string {
  return (value) => JSON.stringify(meta.markCached && isRecord(value) ? { ...value, cached: true } : value);
}

/** `no-store` wins over `no-cache`: neither read nor write. */
export function cacheMode(header: string | string[] | undefined): CacheMode {
  if (header === undefined) return 'default';
  const directives = (Array.isArray(header) ? header.join(',') : header)
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store')) return 'no-store';
  if (directives.includes('no-cache')) return 'no-cache';
  return 'default';
}

/** The guard already refused another company's id; an equal one must not split the entries. */
function withoutCompany(value: unknown): unknown {
  if (!isRecord(value) || !('company_id' in value)) return value ?? {};
  const { company_id: _company, ...rest } = value;
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

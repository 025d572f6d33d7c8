import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, Observable } from 'rxjs';
import { AppConfig } from '../../../config/config';
import { inspectInput } from '../../../common/http/input-guard';
import { cacheKey } from '../domain/cache-keys';
import { CacheMode, LayeredCache } from '../ports/layered-cache.port';
import { CACHED, CachedMetadata } from './cached.decorator';

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
    if (!meta || !companyId || (request.method !== 'GET' && request.method !== 'POST')) return next.handle();
    // Interceptors run before pipes: input the validation pipe will refuse (absurd nesting would overflow the
    // key's canonical JSON) goes straight to it, uncached, and gets its 400.
    if (inspectInput(request.body).length > 0 || inspectInput(request.query).length > 0) return next.handle();

    const key = cacheKey({
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
      versions: meta.versions?.(this.config),
    });
    const result = this.cache.getOrCompute<unknown>({
      key,
      compute: () => lastValueFrom(next.handle(), { defaultValue: undefined }),
      mode: cacheMode(request.headers['cache-control']),
      shouldStore: (value) => value !== undefined && (meta.shouldStore?.(value) ?? true),
      staleWhileRevalidateMs: meta.staleWhileRevalidate ? this.config.cache.swrGraceMs : undefined,
    });
    return from(result).pipe(
      map(({ value, status }) => {
        http.getResponse<FastifyReply>().header('x-cache', status);
        return status !== 'MISS' && meta.markCached && isRecord(value) ? { ...value, cached: true } : value;
      }),
    );
  }
}

/** `no-store` wins over `no-cache`: neither read nor write. */
export function cacheMode(header: string | string[] | undefined): CacheMode {
  const directives = (Array.isArray(header) ? header.join(',') : (header ?? ''))
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

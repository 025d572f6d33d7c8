import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { AdminKeyService } from './admin-key.service';
import { ApiKeysService } from './api-keys.service';
import { AUTH_KIND, AuthKind, TenantContext } from '../../common/tenancy/auth.decorators';
import { RequestContext } from '../../common/tenancy/request-context';

/**
 * One guard for the three kinds of route. Tenant routes resolve the key to its company and refuse a
 * body or query `company_id` naming another company (403).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly adminKey: AdminKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const kind =
      this.reflector.getAllAndOverride<AuthKind>(AUTH_KIND, [context.getHandler(), context.getClass()]) ??
      'tenant';
    if (kind === 'public') return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const presented = extractKey(request);
    if (!presented) {
      throw new AppError('unauthorized', 'missing API key: send Authorization: Bearer <key> or X-API-Key');
    }
    if (kind === 'admin') {
      if (this.adminKey.matches(presented)) {
        request.adminKeyId = this.adminKey.keyId;
        return true;
      }
      const tenant = await this.apiKeys.resolve(presented);
      if (tenant) throw new AppError('forbidden', 'this route needs the admin key, not a company key');
      throw new AppError('unauthorized', 'invalid API key');
    }

    const resolved = await this.apiKeys.resolve(presented);
    if (!resolved) {
      if (this.adminKey.matches(presented)) {
        throw new AppError(
          'forbidden',
          'the admin key has no company: use a company API key on tenant routes',
        );
      }
      throw new AppError('unauthorized', 'invalid or revoked API key');
    }
    const claimed = claimedCompanyIds(request);
    for (const [where, companyId] of claimed) {
      if (companyId !== resolved.companyId) {
        throw new AppError('forbidden', `${where}.company_id does not match the company of this API key`);
      }
    }
    bindTenant(request, resolved);
    return true;
  }
}

/** Makes the authenticated company the request's: for handlers, the request context, metrics and logs. */
export function bindTenant(request: FastifyRequest, tenant: TenantContext): void {
  request.tenant = tenant;
  RequestContext.setCompany(tenant.companyId);
  (request.raw as unknown as { companyId?: string }).companyId = tenant.companyId;
}

/** The presented API key: `Authorization: Bearer <key>` or `X-API-Key`. */
export function extractKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header.trim() : undefined;
}

/** Every `company_id` the client put in the body or query string, with where it was found. */
export function claimedCompanyIds(request: FastifyRequest): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'company_id' in body) {
    out.push(['body', body.company_id]);
  }
  const query = request.query as Record<string, unknown> | undefined;
  if (query && typeof query === 'object' && 'company_id' in query) out.push(['query', query.company_id]);
  return out;
}

import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type AuthKind = 'public' | 'admin' | 'tenant';
export const AUTH_KIND = 'auth:kind';

/** No key needed (health, docs, metrics). */
export const Public = () => SetMetadata(AUTH_KIND, 'public' satisfies AuthKind);
/** Needs ADMIN_API_KEY. Tenant routes need nothing: tenant is the default. */
export const AdminOnly = () => SetMetadata(AUTH_KIND, 'admin' satisfies AuthKind);

export interface TenantContext {
  companyId: string;
  keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant?: TenantContext;
    /** On admin routes: the id of the admin key that authenticated (for the audit log). */
    adminKeyId?: string;
  }
}

/** The acting admin key's id (audit log), on admin routes. */
export const ActorKeyId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const keyId = ctx.switchToHttp().getRequest<FastifyRequest>().adminKeyId;
  if (!keyId) throw new Error('ActorKeyId used on a route without admin authentication');
  return keyId;
});

/** The company of the authenticated key: the only source of company_id on tenant routes. */
export const CompanyId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenant = ctx.switchToHttp().getRequest<FastifyRequest>().tenant;
  if (!tenant) throw new Error('CompanyId used on a route without tenant authentication');
  return tenant.companyId;
});

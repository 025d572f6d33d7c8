import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../../config/config';

/** The one throttler: per company (or client address) and route, `RATE_LIMIT_PER_MINUTE` a minute. */
export function companyThrottler(config: AppConfig): { name: string; ttl: number; limit: number } {
  return { name: 'default', ttl: 60_000, limit: config.app.rateLimitPerMinute };
}

/** Keys remembered per route and company, so a request hashes nothing for its rate limit. */
const MAX_REMEMBERED_KEYS = 10_000;
const rememberedKeys = new Map<string, string>();

/**
 * The storage key the guard gives a request of a company on a route (a controller's handler), as
 * ThrottlerGuard.generateKey does: the cached-response fast path counts requests under the same key.
 */
export function companyThrottleKey(input: {
  className: string;
  handlerName: string;
  companyId: string;
}): string {
  const id = `${input.className}-${input.handlerName}-default-company:${input.companyId}`;
  let key = rememberedKeys.get(id);
  if (key === undefined) {
    key = createHash('sha256').update(id).digest('hex');
    if (rememberedKeys.size >= MAX_REMEMBERED_KEYS) rememberedKeys.clear();
    rememberedKeys.set(id, key);
  }
  return key;
}

/** Limits per company (the authenticated key's), falling back to the client address on public routes. */
@Injectable()
export class CompanyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    return request.tenant ? `company:${request.tenant.companyId}` : `ip:${request.ip}`;
  }
}

import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';

/** Limits per company (the authenticated key's), falling back to the client address on public routes. */
@Injectable()
export class CompanyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    return request.tenant ? `company:${request.tenant.companyId}` : `ip:${request.ip}`;
  }
}

import { CanActivate, Controller, ExecutionContext, Get, Header, Injectable, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/config';
import { MetricsService } from './metrics.service';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** METRICS_TOKEN, when set: `Authorization: Bearer <token>` on every scrape (compared in constant time). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    this.expected = config.metrics.token ? digest(config.metrics.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const auth = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const presented = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (presented && timingSafeEqual(digest(presented), this.expected)) return true;
    context.switchToHttp().getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="metrics"');
    throw new UnauthorizedException('a scrape needs Authorization: Bearer <METRICS_TOKEN>');
  }
}

/**
 * The Prometheus scrape endpoint of @willsoto/nestjs-prometheus (which mounts it on its path), serving this
 * application's own registry: the package's default controller reads prom-client's global one. Mounted only
 * on the metrics listener (METRICS_PORT), never on the public API.
 */
@Controller()
@UseGuards(MetricsTokenGuard)
export class MetricsController extends PrometheusController {
  constructor(private readonly metrics: MetricsService) {
    super();
  }

  @Get()
  @Header('cache-control', 'no-store')
  override async index(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.metrics.scrape();
    reply.type(contentType);
    return body;
  }
}

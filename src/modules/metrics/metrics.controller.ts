import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { AppError } from '../../common/errors/app-error';
import { Public } from '../../common/tenancy/auth.decorators';
import { AppConfig } from '../../config/config';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint: public (ops network), unthrottled, outside the API contract document. */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!this.config.metrics.enabled)
      throw new AppError('not_found', 'metrics are disabled (METRICS_ENABLED=false)');
    const { contentType, body } = await this.metrics.scrape();
    reply.type(contentType);
    return body;
  }
}

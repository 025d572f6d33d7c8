import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/config';
import { MetricsHttpModule } from '../modules/metrics/metrics-http.module';
import { MetricsService } from '../modules/metrics/metrics.service';

/**
 * The metrics listener: a second, tiny Fastify application serving /metrics of `app` on METRICS_PORT, so
 * per-company series never reach the public API port. Undefined with METRICS_ENABLED=false. The caller
 * listens and closes it (main.ts: after the API has closed, so the last scrape still answers).
 */
export async function createMetricsServer(
  app: INestApplicationContext,
  config: AppConfig,
): Promise<NestFastifyApplication | undefined> {
  if (!config.metrics.enabled) return undefined;
  const server = await NestFactory.create<NestFastifyApplication>(
    MetricsHttpModule.register({ config, metrics: app.get(MetricsService) }),
    new FastifyAdapter({ logger: false }),
    { logger: false, abortOnError: false },
  );
  await server.init();
  return server;
}

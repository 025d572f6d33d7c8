import 'reflect-metadata';
import { createApp } from './bootstrap/create-app';
import { createMetricsServer } from './bootstrap/metrics-server';
import { applyHeapGrowth } from './bootstrap/heap-growth';
import { AppConfig, loadConfig } from './config/config';
import { ConfigValidationError } from './config/define-config';
import { AdminKeyService } from './modules/auth/admin-key.service';
import { DependencyHealth } from './modules/health/dependency.health';

async function bootstrap(): Promise<void> {
  const started = process.hrtime.bigint();
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  applyHeapGrowth(config.app.heapGrowingPercent);

  const app = await createApp(config);
  const port = config.app.role === 'worker' ? config.app.workerPort : config.app.port;
  await app.listen({ port, host: config.app.host });
  const metricsServer = await createMetricsServer(app, config);
  await metricsServer?.listen({ port: config.metrics.port, host: config.app.host });

  const url = `http://localhost:${port}`;
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const lines = [
    `Support Copilot (${config.app.role}, ${config.mode} mode) listening on ${url} — ready in ${ms} ms`,
    config.app.role === 'worker'
      ? `  health: ${url}/health/ready`
      : `  docs:   ${url}/docs    health: ${url}/health/ready`,
  ];
  if (metricsServer) lines.push(`  metrics: http://localhost:${config.metrics.port}/metrics`);
  const generated = app.get(AdminKeyService).generatedKey;
  if (generated) {
    lines.push(`  admin API key (generated once, kept in ${config.app.dataDir}/admin-api-key): ${generated}`);
    lines.push(
      `  create a company: curl -X POST ${url}/api/v1/admin/companies -H "Authorization: Bearer ${generated}" \\`,
    );
    lines.push(`    -H 'content-type: application/json' -d '{"company_id":"acme","name":"Acme"}'`);
  }
  console.log(lines.join('\n'));

  const health = app.get(DependencyHealth);
  let closing = false;
  // While draining, every answer tells keep-alive clients to reconnect (to another instance, via the balancer).
  app
    .getHttpServer()
    .prependListener('request', (_req: unknown, res: { setHeader(name: string, value: string): void }) => {
      if (closing) res.setHeader('connection', 'close');
    });
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    health.markShuttingDown();
    const timer = setTimeout(() => {
      console.error(`shutdown took longer than ${config.app.shutdownGraceMs} ms after ${signal}; exiting`);
      process.exit(1);
    }, config.app.shutdownGraceMs + config.app.shutdownDrainMs);
    timer.unref();
    // Drain: readiness is already 503 and the listener still accepts, so connections queued in the accept
    // backlog while the event loop was busy are answered, not reset. Then Fastify stops accepting, finishes
    // in-flight requests, and Nest runs every onModuleDestroy hook.
    const drained = new Promise<void>((resolve) => setTimeout(resolve, config.app.shutdownDrainMs));
    drained
      .then(() => app.close())
      .then(() => metricsServer?.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

bootstrap().catch((error: unknown) => {
  // A remote model's configuration refused at start (see LlmStartupProbe) names the variable to set.
  console.error(error instanceof ConfigValidationError ? error.message : error);
  process.exit(error instanceof ConfigValidationError ? 78 : 1);
});

import { Global, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../common/tenancy/request-context';
import { AppConfig } from '../../config/config';
import { TypeOrmQueryTimerAdapter } from './adapters/typeorm-query-timer.adapter';
import { registerHttpTiming } from './http-timing.hook';
import { MetricsService } from './metrics.service';

/**
 * Global so every module can inject MetricsService. Imported for every role; /metrics is served by the
 * metrics listener (bootstrap/metrics-server.ts, METRICS_PORT), not by this application. With
 * METRICS_ENABLED=false the service still accepts recordings, but nothing is timed or served.
 */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule implements OnModuleInit, OnModuleDestroy {
  private readonly queryTimer: TypeOrmQueryTimerAdapter;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.queryTimer = new TypeOrmQueryTimerAdapter(metrics);
  }

  // Runs before Fastify is ready, so the hook still applies to every route (Fastify binds hooks at ready).
  onModuleInit(): void {
    if (!this.config.metrics.enabled) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    registerHttpTiming(fastify, this.metrics);
    // The query timer labels queries with the request's company: it is the context's only reader so far.
    RequestContext.install(fastify);
    this.dataSource.subscribers.push(this.queryTimer);
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this.queryTimer);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }
}

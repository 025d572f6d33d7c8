import { DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { AppConfig } from '../../config/config';
import { MetricsController, MetricsTokenGuard } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * The metrics listener's application: only /metrics, over the main application's MetricsService. Process
 * metrics are the service's own (per-application registry), not the package's global defaults.
 */
@Module({})
export class MetricsHttpModule {
  static register(input: { config: AppConfig; metrics: MetricsService }): DynamicModule {
    return {
      module: MetricsHttpModule,
      // Global: the controller is declared by PrometheusModule, which must see these providers.
      global: true,
      imports: [
        PrometheusModule.register({ controller: MetricsController, path: '/metrics', defaultMetrics: { enabled: false } }),
      ],
      providers: [
        { provide: AppConfig, useValue: input.config },
        { provide: MetricsService, useValue: input.metrics },
        MetricsTokenGuard,
      ],
      exports: [AppConfig, MetricsService, MetricsTokenGuard],
    };
  }
}

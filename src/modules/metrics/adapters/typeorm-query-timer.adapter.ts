import type { AfterQueryEvent, EntitySubscriberInterface } from 'typeorm';
import { RequestContext } from '../../../common/tenancy/request-context';
import { queryTypeOf } from '../domain/metric-labels';
import { MetricsService } from '../metrics.service';

/**
 * Feeds db_query_duration_seconds from TypeORM's afterQuery event, which carries the driver-measured
 * execution time for every query, with no change to the repositories. Failed queries carry no time.
 */
export class TypeOrmQueryTimerAdapter implements EntitySubscriberInterface {
  constructor(private readonly metrics: MetricsService) {}

  afterQuery(event: AfterQueryEvent): void {
    if (!event.success || event.executionTime === undefined) return;
    this.metrics.recordDbQuery({
      queryType: queryTypeOf(event.query),
      companyId: RequestContext.companyId(),
      durationS: event.executionTime / 1000,
    });
  }
}

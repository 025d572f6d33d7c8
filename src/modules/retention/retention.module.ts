import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../../config/config';
import { IngestProducer } from '../ingest/ingest.producer';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { CompanyRetentionController } from './company-retention.controller';
import { RetentionJobs } from './retention-jobs.service';
import { RetentionPolicyRepository } from './retention-policy.repository';
import { RetentionProcessor } from './retention.processor';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/**
 * Retention: the admin routes (API roles), the schedule and the runs (worker roles). Runs ride the
 * application's one queue (JobsModule, global); IngestProducer is the queue's producer of purges.
 */
@Module({})
export class RetentionModule {
  static register(config: AppConfig): DynamicModule {
    const runsJobs = config.app.role !== 'api';
    const servesApi = config.app.role !== 'worker';
    return {
      module: RetentionModule,
      imports: [TicketsCoreModule, ...(runsJobs ? [ScheduleModule.forRoot()] : [])],
      controllers: servesApi ? [CompanyRetentionController] : [],
      providers: [
        RetentionPolicyRepository,
        RetentionService,
        RetentionJobs,
        IngestProducer,
        ...(runsJobs ? [RetentionProcessor, RetentionScheduler] : []),
      ],
    };
  }
}

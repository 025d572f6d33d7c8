import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { TableStatisticsService } from '../../database/table-statistics.service';
import { EventsModule } from '../events/events.module';
import { LlmModule } from '../llm/llm.module';
import { SearchIndexModule } from '../search/search-index.module';
import { VectorVersionsModule } from '../search/vector-versions.module';
import { AdminQueuesController, AdminReindexController, IngestController } from './ingest.controller';
import { IngestProcessor } from './ingest.processor';
import { IngestProducer } from './ingest.producer';
import { IngestService } from './ingest.service';
import { IndexingOnChangeListener } from './indexing-on-change.listener';
import { IndexingRepository } from './indexing.repository';
import { IndexingService } from './indexing.service';
import { DeletionOutboxRepository } from './deletion-outbox.repository';
import { PurgeService } from './purge.service';
import { DeletionOutboxEraser } from './deletion-outbox.eraser';
import { QueueHealth } from './queue-health.service';
import { ReconcilerService } from './reconciler.service';
import { ReindexService } from './reindex.service';

/** Ingest and indexing: the routes (api roles), the processor and reconciler (worker roles). Jobs ride JobsModule's queue. */
@Module({})
export class IngestModule {
  static register(config: AppConfig): DynamicModule {
    const runsJobs = config.app.role !== 'api';
    const servesApi = config.app.role !== 'worker';

    return {
      module: IngestModule,
      imports: [LlmModule, SearchIndexModule, VectorVersionsModule, EventsModule],
      controllers: servesApi ? [IngestController, AdminQueuesController, AdminReindexController] : [],
      providers: [
        IngestProducer,
        IndexingRepository,
        IndexingService,
        ReindexService,
        QueueHealth,
        IngestService,
        DeletionOutboxRepository,
        PurgeService,
        DeletionOutboxEraser,
        ...(servesApi ? [IndexingOnChangeListener] : []),
        ...(runsJobs ? [IngestProcessor, ReconcilerService, TableStatisticsService] : []),
      ],
      exports: [IngestProducer],
    };
  }
}

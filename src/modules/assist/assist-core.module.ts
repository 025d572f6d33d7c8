import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CacheModule } from '../cache/cache.module';
import { EventsModule } from '../events/events.module';
import { LlmModule } from '../llm/llm.module';
import { SearchCoreModule } from '../search/search-core.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { WarmingModule } from '../warming/warming.module';
import { TypeOrmAgentPreferencesStore } from './adapters/typeorm.agent-preferences-store.adapter';
import { TypeOrmSessionStore } from './adapters/typeorm.session-store.adapter';
import { AnswerService } from './answer.service';
import {
  PreferencesEraser,
  PreferencesExporter,
  SessionEraser,
  SessionExporter,
} from './assist-state.company-data';
import { AnswerWarmer } from './answer.warmer';
import { BackgroundTasks } from './background-tasks.service';
import { GroundedGeneration } from './grounded-generation.service';
import { InitBundleService } from './init-bundle.service';
import { LlmCredit } from './llm-credit.service';
import { AgentPreferencesStore } from './ports/agent-preferences-store.port';
import { SessionStore } from './ports/session-store.port';
import { RetrievalService } from './retrieval.service';
import { SemanticCacheModule } from './semantic/semantic-cache.module';
import { TicketPrefetchListener } from './ticket-prefetch.listener';

/**
 * What Assist needs in every role: the /init bundle builder and its prefetch on TicketIndexed, which runs
 * where tickets are indexed (the worker in services mode) and writes to the shared cache, and the answer
 * planner with its cache warmer, which runs where warm jobs run. No controllers:
 * the routes are in AssistModule (api role). Tickets and search come from their core modules, which every
 * role loads (a worker has neither TicketsModule nor SearchModule). Sessions and agents' preferences are state
 * in the database; their stores, with their company erasers and exporters, are here so every role can erase
 * and export them.
 */
@Module({
  imports: [
    LlmModule,
    SearchCoreModule,
    TicketsCoreModule,
    EventsModule,
    CacheModule,
    SemanticCacheModule,
    WarmingModule,
  ],
  providers: [
    RetrievalService,
    AnswerService,
    AnswerWarmer,
    BackgroundTasks,
    LlmCredit,
    GroundedGeneration,
    InitBundleService,
    TicketPrefetchListener,
    {
      provide: SessionStore,
      inject: [DataSource],
      useFactory: (db: DataSource) => new TypeOrmSessionStore(db),
    },
    {
      provide: AgentPreferencesStore,
      inject: [DataSource],
      useFactory: (db: DataSource) => new TypeOrmAgentPreferencesStore(db),
    },
    SessionEraser,
    SessionExporter,
    PreferencesEraser,
    PreferencesExporter,
  ],
  exports: [
    SessionStore,
    AgentPreferencesStore,
    TicketsCoreModule,
    RetrievalService,
    AnswerService,
    BackgroundTasks,
    GroundedGeneration,
    InitBundleService,
    TicketPrefetchListener,
    LlmModule,
  ],
})
export class AssistCoreModule {}

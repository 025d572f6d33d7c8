import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module';
import { SemanticCacheModule } from '../cache/semantic/semantic-cache.module';
import { CacheWarmingModule } from '../cache/warming/cache-warming.module';
import { LlmModule } from '../llm/llm.module';
import { SearchIndexModule } from '../search/search-index.module';
import { SearchService } from '../search/search.service';
import { TicketRepository } from '../tickets/ticket.repository';
import { AnswerService } from './answer.service';
import { AnswerWarmer } from './answer.warmer';
import { BackgroundTasks } from './background-tasks.service';
import { GroundedGeneration } from './grounded-generation.service';
import { InitBundleService } from './init-bundle.service';
import { LlmCredit } from './llm-credit.service';
import { RetrievalService } from './retrieval.service';
import { TicketPrefetchListener } from './ticket-prefetch.listener';

/**
 * What Assist needs in every role: the /init bundle builder and its prefetch on TicketIndexed, which runs
 * where tickets are indexed (the worker in services mode) and writes to the shared cache, and the answer
 * planner with its cache warmer, which runs where warm jobs run. No controllers:
 * the routes are in AssistModule (api role). The repository and search service are stateless and provided
 * here too, because a worker loads neither TicketsModule nor SearchModule.
 */
@Module({
  imports: [LlmModule, SearchIndexModule, CacheModule, SemanticCacheModule, CacheWarmingModule],
  providers: [
    TicketRepository,
    SearchService,
    RetrievalService,
    AnswerService,
    AnswerWarmer,
    BackgroundTasks,
    LlmCredit,
    GroundedGeneration,
    InitBundleService,
    TicketPrefetchListener,
  ],
  exports: [
    TicketRepository,
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

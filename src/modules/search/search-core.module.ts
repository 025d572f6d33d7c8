import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LlmModule } from '../llm/llm.module';
import { WarmingModule } from '../warming/warming.module';
import { TypeOrmDocumentPresence } from './adapters/typeorm.document-presence.adapter';
import { DocumentPresence } from './ports/document-presence.port';
import { SearchIndexModule } from './search-index.module';
import { VectorVersionsModule } from './vector-versions.module';
import { SearchService } from './search.service';
import { SearchWarmer } from './search.warmer';

/**
 * Hybrid search without its route, for every role: the service (retrieval in assist, warm jobs in the worker)
 * and the search warmer it registers with the warming registry.
 */
@Module({
  imports: [SearchIndexModule, VectorVersionsModule, LlmModule, WarmingModule],
  providers: [
    SearchService,
    SearchWarmer,
    // Over the stored tickets and articles (the database module is global): which hits are still stored.
    {
      provide: DocumentPresence,
      inject: [DataSource],
      useFactory: (db: DataSource) => new TypeOrmDocumentPresence(db),
    },
  ],
  exports: [SearchService],
})
export class SearchCoreModule {}

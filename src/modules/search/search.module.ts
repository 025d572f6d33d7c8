import { Module } from '@nestjs/common';
import { CacheWarmingModule } from '../cache/warming/cache-warming.module';
import { LlmModule } from '../llm/llm.module';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { SearchIndexModule } from './search-index.module';

@Module({
  imports: [SearchIndexModule, LlmModule, CacheWarmingModule],
  controllers: [SearchController],
  providers: [SearchService],
  exports: [SearchService],
})
export class SearchModule {}

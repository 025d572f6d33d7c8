import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { SearchIndexModule } from './search-index.module';

@Module({
  imports: [SearchIndexModule, LlmModule],
  controllers: [SearchController],
  providers: [SearchService],
  exports: [SearchService],
})
export class SearchModule {}

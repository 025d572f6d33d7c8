import { Module } from '@nestjs/common';
import { WarmingModule } from '../warming/warming.module';
import { SearchController } from './search.controller';
import { SearchCoreModule } from './search-core.module';

/** POST /api/v1/search (api role). */
@Module({
  imports: [SearchCoreModule, WarmingModule],
  controllers: [SearchController],
})
export class SearchModule {}

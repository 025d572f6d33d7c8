import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module';
import { EmbedderVersions } from './embedder-versions.service';
import { SearchIndexModule } from './search-index.module';

/** Which embedder each vector collection holds; shared by search (reads) and ingest (writes, re-index). */
@Module({
  imports: [SearchIndexModule, LlmModule],
  providers: [EmbedderVersions],
  exports: [EmbedderVersions],
})
export class VectorVersionsModule {}

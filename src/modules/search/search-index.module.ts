import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { EmbeddedVectorIndex } from './adapters/embedded.vector-index.adapter';
import { InProcessLexicalIndex } from './adapters/in-process.lexical-index.adapter';
import { QdrantVectorIndex } from './adapters/qdrant.vector-index.adapter';
import { LexicalIndex } from './ports/lexical-index.port';
import { VectorIndex } from './ports/vector-index.port';

/**
 * Binds the search ports by configuration: Qdrant when QDRANT_URL is set, else the embedded index under
 * DATA_DIR. Lexical search is in-process in both modes for now (a PostgreSQL full-text adapter can replace
 * it behind the same port). Expects `AppConfig` to be provided globally by the config module.
 */
@Module({
  providers: [
    {
      provide: VectorIndex,
      inject: [AppConfig],
      useFactory: (config: AppConfig): VectorIndex =>
        config.search.vectorStore === 'qdrant'
          ? new QdrantVectorIndex(config)
          : new EmbeddedVectorIndex(config),
    },
    {
      provide: LexicalIndex,
      inject: [AppConfig],
      useFactory: (config: AppConfig): LexicalIndex => new InProcessLexicalIndex(config),
    },
  ],
  exports: [VectorIndex, LexicalIndex],
})
export class SearchIndexModule {}

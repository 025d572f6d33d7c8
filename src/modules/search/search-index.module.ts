import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { EmbeddedVectorIndex } from './adapters/embedded.vector-index.adapter';
import { InProcessLexicalIndex } from './adapters/in-process.lexical-index.adapter';
import { PostgresLexicalIndex } from './adapters/postgres.lexical-index.adapter';
import { QdrantVectorIndex } from './adapters/qdrant.vector-index.adapter';
import { LexicalIndex } from './ports/lexical-index.port';
import { VectorIndex } from './ports/vector-index.port';
import { SearchIndexEraser } from './search-index.eraser';

/**
 * Binds the search ports by configuration: Qdrant when QDRANT_URL is set, else the embedded index under
 * DATA_DIR. Lexical search (BM25): PostgreSQL when the database is PostgreSQL (services mode: every API
 * instance must see the same keyword index), the in-process BM25 otherwise. Expects `AppConfig` (and, with
 * PostgreSQL, the TypeORM DataSource) to be provided globally.
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
      inject: [AppConfig, { token: DataSource, optional: true }],
      useFactory: (config: AppConfig, db?: DataSource): LexicalIndex => {
        if (config.database.kind !== 'postgres') return new InProcessLexicalIndex(config);
        if (!db) throw new Error('the PostgreSQL lexical index needs the database module');
        return new PostgresLexicalIndex(db);
      },
    },
    SearchIndexEraser,
  ],
  exports: [VectorIndex, LexicalIndex],
})
export class SearchIndexModule {}

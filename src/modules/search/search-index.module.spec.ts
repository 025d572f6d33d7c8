import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '../../config/config';
import { EmbeddedVectorIndex } from './adapters/embedded.vector-index.adapter';
import { InProcessLexicalIndex } from './adapters/in-process.lexical-index.adapter';
import { PostgresLexicalIndex } from './adapters/postgres.lexical-index.adapter';
import { QdrantVectorIndex } from './adapters/qdrant.vector-index.adapter';
import { LexicalIndex } from './ports/lexical-index.port';
import { VectorIndex } from './ports/vector-index.port';
import { SearchIndexModule } from './search-index.module';

async function compile(config: AppConfig, db?: DataSource) {
  @Global()
  @Module({
    providers: [
      { provide: AppConfig, useValue: config },
      ...(db ? [{ provide: DataSource, useValue: db }] : []),
    ],
    exports: db ? [AppConfig, DataSource] : [AppConfig],
  })
  class TestConfigModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [TestConfigModule, SearchIndexModule],
  }).compile();
  return moduleRef;
}

describe('SearchIndexModule', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'search-module-'));
  });

  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('binds the embedded index without QDRANT_URL and flushes it on shutdown', async () => {
    const moduleRef = await compile(loadConfig({ DATA_DIR: dataDir, VECTOR_PERSIST_DEBOUNCE_MS: '60000' }));
    const app = await moduleRef.init();
    const index = app.get(VectorIndex);
    expect(index).toBeInstanceOf(EmbeddedVectorIndex);
    expect(app.get(LexicalIndex)).toBeInstanceOf(InProcessLexicalIndex);
    await index.ensureCollection({ companyId: 'acme', type: 'ticket', dimension: 2 });
    await index.upsert({
      companyId: 'acme',
      type: 'ticket',
      points: [
        {
          id: 't1',
          vector: [1, 0],
          payload: {
            company_id: 'acme',
            type: 'ticket',
            id: 't1',
            title: 't',
            summary: '',
            tags: [],
            created_at: '2024-01-01T00:00:00Z',
            updated_at: '2024-01-01T00:00:00Z',
            content_hash: 'h',
          },
        },
      ],
    });
    await app.close();
    await expect(fs.readdir(path.join(dataDir, 'vectors', 'tickets'))).resolves.toContain('acme.json');
  });

  it('binds Qdrant when QDRANT_URL is set', async () => {
    const moduleRef = await compile(loadConfig({ DATA_DIR: dataDir, QDRANT_URL: 'http://127.0.0.1:6333' }));
    expect(moduleRef.get(VectorIndex)).toBeInstanceOf(QdrantVectorIndex);
  });

  it('binds PostgreSQL full text for keywords when the database is PostgreSQL (shared by every API instance)', async () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      ADMIN_API_KEY: 'admin-key-0123456789abcdef',
    });
    // Never initialized: binding only needs the DataSource object, not a connection.
    const moduleRef = await compile(config, new DataSource({ type: 'postgres' }));
    expect(moduleRef.get(LexicalIndex)).toBeInstanceOf(PostgresLexicalIndex);
    await expect(compile(config)).rejects.toThrow(/needs the database module/);
  });
});

import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../src/config/config';
import { CompanyEntity } from '../../../src/database/entities';
import { InProcessLexicalIndex } from '../../../src/modules/search/adapters/in-process.lexical-index.adapter';
import { PostgresLexicalIndex } from '../../../src/modules/search/adapters/postgres.lexical-index.adapter';
import { runLexicalIndexContract } from '../../contract/lexical-index.contract';
import { bareDataSource } from '../ingest/bare-data-source';

runLexicalIndexContract('in-process BM25', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lexical-contract-'));
  const index = new InProcessLexicalIndex(
    loadConfig({ DATA_DIR: dataDir, VECTOR_PERSIST_DEBOUNCE_MS: '60000' }),
  );
  await index.onModuleInit();
  return {
    index,
    async dispose() {
      await index.onModuleDestroy();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
});

if (process.env.DATABASE_URL) {
  runLexicalIndexContract('PostgreSQL full text', async () => {
    const { db, close } = await bareDataSource('postgres');
    await db.getRepository(CompanyEntity).save([
      { id: 'acme', name: 'Acme' },
      { id: 'globex', name: 'Globex' },
    ]);
    return { index: new PostgresLexicalIndex(db), dispose: close };
  });
}

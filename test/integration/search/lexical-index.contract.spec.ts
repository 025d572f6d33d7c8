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

if (process.env.DATABASE_URL) {
  describe('PostgreSQL keyword search is deterministic on unchanged data', () => {
    it('picks capped candidates by the data (shortest first, then id), not by where the rows are', async () => {
      const { db, close } = await bareDataSource('postgres');
      try {
        await db.getRepository(CompanyEntity).save({ id: 'acme', name: 'Acme' });
        // A cap of 3 candidates among 8 matching documents: which 3 are scored must not depend on the plan or
        // on where PostgreSQL happens to keep the rows.
        const index = new PostgresLexicalIndex(db, { maxCandidates: 3, minCandidateIdf: 0.1 });
        const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
        const documents = Array.from({ length: 8 }, (_, i) => ({
          id: `d${i}`,
          text: `refund ${filler(8 - i)}`,
        })).concat(
          Array.from({ length: 200 }, (_, i) => ({ id: `x${i}`, text: `parcel number${i} ${filler(3)}` })),
        );
        const store = (docs: typeof documents) =>
          index.upsert({
            companyId: 'acme',
            type: 'ticket',
            documents: docs.map((d) => ({
              ...d,
              payload: {
                company_id: 'acme',
                type: 'ticket' as const,
                id: d.id,
                title: d.id,
                summary: '',
                tags: [],
                created_at: '2024-01-01T00:00:00.000Z',
                updated_at: '2024-01-01T00:00:00.000Z',
                content_hash: d.id,
              },
            })),
          });
        await store(documents);
        const search = async () =>
          (await index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 3 })).map((h) => h.id);
        const before = await search();
        // Stored again unchanged, and deleted and stored again: the same data in other rows of the table.
        await store(documents.slice(0, 8));
        await index.delete({ companyId: 'acme', type: 'ticket', ids: ['d0', 'd1', 'd2', 'd5', 'd6', 'd7'] });
        for (const i of [7, 6, 5, 2, 1, 0]) await store([documents[i]]);
        expect(await search()).toEqual(before);
        // The cap keeps the documents BM25 ranks first for a one-term query: the shortest.
        expect(before).toEqual(['d7', 'd6', 'd5']);
      } finally {
        await close();
      }
    });
  });
}

import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../config/config';
import { SearchPayload } from '../domain/search-document';
import { InProcessLexicalIndex } from './in-process.lexical-index.adapter';

const payload = (companyId: string, id: string, overrides: Partial<SearchPayload> = {}): SearchPayload => ({
  company_id: companyId,
  type: 'ticket',
  id,
  title: id,
  summary: '',
  status: 'open',
  priority: 'medium',
  tags: [],
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  content_hash: id,
  ...overrides,
});

describe('InProcessLexicalIndex', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lexical-'));
  });

  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const create = () =>
    new InProcessLexicalIndex(loadConfig({ DATA_DIR: dataDir, VECTOR_PERSIST_DEBOUNCE_MS: '60000' }));

  async function seeded(): Promise<InProcessLexicalIndex> {
    const index = create();
    await index.onModuleInit();
    await index.upsert({
      companyId: 'acme',
      type: 'ticket',
      documents: [
        {
          id: 't1',
          text: 'refund for a double charge',
          payload: payload('acme', 't1', { tags: ['billing'] }),
        },
        { id: 't2', text: '로그인이 안돼요', payload: payload('acme', 't2') },
      ],
    });
    await index.upsert({
      companyId: 'globex',
      type: 'ticket',
      documents: [{ id: 't1', text: 'refund refund refund', payload: payload('globex', 't1') }],
    });
    return index;
  }

  it('searches one company only, with filters', async () => {
    const index = await seeded();
    const hits = await index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 });
    expect(hits.map((h) => [h.id, h.payload.company_id, h.type])).toEqual([['t1', 'acme', 'ticket']]);
    await expect(
      index.search({ companyId: 'acme', type: 'article', query: 'refund', k: 10 }),
    ).resolves.toEqual([]);
    await expect(
      index.search({
        companyId: 'acme',
        type: 'ticket',
        query: 'refund',
        k: 10,
        filter: { tags: ['other'] },
      }),
    ).resolves.toEqual([]);
    await expect(
      index.search({ companyId: 'acme', type: 'ticket', query: '로그인', k: 10 }),
    ).resolves.toMatchObject([{ id: 't2' }]);
  });

  it('deletes, and refuses documents of another company', async () => {
    const index = await seeded();
    await index.delete({ companyId: 'acme', type: 'ticket', ids: ['t1'] });
    await expect(
      index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 }),
    ).resolves.toEqual([]);
    await expect(
      index.search({ companyId: 'globex', type: 'ticket', query: 'refund', k: 10 }),
    ).resolves.toHaveLength(1);
    await expect(
      index.upsert({
        companyId: 'acme',
        type: 'ticket',
        documents: [{ id: 'x', text: 'x', payload: payload('globex', 'x') }],
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('persists on shutdown and reloads at start', async () => {
    const first = await seeded();
    await expect(fs.readdir(dataDir)).resolves.toEqual([]);
    await first.onModuleDestroy();
    const second = create();
    await second.onModuleInit();
    await expect(
      second.search({ companyId: 'acme', type: 'ticket', query: 'double charge', k: 5 }),
    ).resolves.toEqual(
      await first.search({ companyId: 'acme', type: 'ticket', query: 'double charge', k: 5 }),
    );
  });
});

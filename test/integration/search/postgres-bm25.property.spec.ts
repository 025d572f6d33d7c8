import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { CompanyEntity } from '../../../src/database/entities';
import { SearchBm25_1764480000000 } from '../../../src/database/migrations/postgres/1764480000000-search-bm25';
import {
  DEFAULT_POSTGRES_LEXICAL_OPTIONS,
  PostgresLexicalIndex,
  PostgresLexicalOptions,
} from '../../../src/modules/search/adapters/postgres.lexical-index.adapter';
import { Bm25Index, bm25Idf } from '../../../src/modules/search/domain/bm25';
import { tokenize } from '../../../src/modules/search/domain/text-tokens';
import { SearchPayload } from '../../../src/modules/search/domain/search-document';
import { bareDataSource } from '../ingest/bare-data-source';

/**
 * The PostgreSQL keyword index against the pure BM25 (domain/bm25.ts) on the same random documents, after
 * random batches of upserts (replacing ids) and deletes: its term and partition statistics must stay exactly
 * what a fresh in-memory index computes from the live documents.
 */
const VOCABULARY = [
  'refund',
  'card',
  'login',
  'parcel',
  'invoice',
  'jacket',
  '로그인',
  '배송',
  'vat',
  'charge',
];
const IDS = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];

type Operation =
  { kind: 'upsert'; docs: Array<{ id: string; text: string }> } | { kind: 'delete'; ids: string[] };

const text = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 12 }).map((words) => words.join(' '));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .array(fc.record({ id: fc.constantFrom(...IDS), text }), { minLength: 1, maxLength: 6 })
      .map((docs) => ({ kind: 'upsert' as const, docs })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: 3 })
      .map((ids) => ({ kind: 'delete' as const, ids })),
  },
);
const query = fc
  .uniqueArray(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: 4 })
  .map((w) => w.join(' '));

function payloadOf(companyId: string, id: string): SearchPayload {
  const at = '2024-01-01T00:00:00.000Z';
  return {
    company_id: companyId,
    type: 'ticket',
    id,
    title: '',
    summary: '',
    tags: [],
    created_at: at,
    updated_at: at,
    content_hash: '',
  };
}

/**
 * The candidate-term rule the adapter's SQL implements, written out: terms sorted rarest first, taken while their
 * document frequencies add up to the cap and their idf reaches the floor; the rarest one always.
 */
function selectCandidateTerms(
  weighted: Array<{ term: string; df: number; idf: number }>,
  options: PostgresLexicalOptions,
): string[] {
  const out: string[] = [];
  let total = 0;
  for (const { term, df, idf } of weighted) {
    if (out.length > 0 && (idf < options.minCandidateIdf || total + df > options.maxCandidates)) break;
    out.push(term);
    total += df;
  }
  return out;
}

describe('selectCandidateTerms (which query terms pick the candidates)', () => {
  const terms = [
    { term: 'vat', df: 3, idf: 7.2 },
    { term: 'jacket', df: 40, idf: 4.9 },
    { term: 'refund', df: 900, idf: 1.9 },
    { term: 'card', df: 9_990, idf: 0.0005 },
  ];

  it('takes terms rarest first while their frequencies fit under the cap, skipping idf≈0 terms', () => {
    expect(selectCandidateTerms(terms, { maxCandidates: 5_000, minCandidateIdf: 0.1 })).toEqual([
      'vat',
      'jacket',
      'refund',
    ]);
    expect(selectCandidateTerms(terms, { maxCandidates: 100, minCandidateIdf: 0.1 })).toEqual([
      'vat',
      'jacket',
    ]);
    expect(selectCandidateTerms(terms, { maxCandidates: 1e9, minCandidateIdf: 0 })).toHaveLength(4);
  });

  it('always keeps the rarest term, even over the cap or below the idf floor', () => {
    expect(selectCandidateTerms(terms.slice(3), { maxCandidates: 10, minCandidateIdf: 0.1 })).toEqual([
      'card',
    ]);
  });
});

// Services mode only, like the PostgreSQL half of the lexical contract suite.
if (process.env.DATABASE_URL)
  describe('PostgresLexicalIndex scores = domain BM25 (property)', () => {
    let db: DataSource;
    let close: () => Promise<void>;
    let run = 0;

    beforeAll(async () => {
      ({ db, close } = await bareDataSource('postgres'));
    });
    afterAll(() => close());

    async function replay(index: PostgresLexicalIndex, operations: Operation[]) {
      const companyId = `p${run++}`;
      await db.getRepository(CompanyEntity).save({ id: companyId, name: companyId });
      const reference = new Bm25Index();
      for (const op of operations) {
        if (op.kind === 'upsert') {
          await index.upsert({
            companyId,
            type: 'ticket',
            documents: op.docs.map((d) => ({ ...d, payload: payloadOf(companyId, d.id) })),
          });
          for (const d of op.docs) reference.upsert(d.id, d.text, payloadOf(companyId, d.id));
        } else {
          await index.delete({ companyId, type: 'ticket', ids: op.ids });
          for (const id of op.ids) reference.remove(id);
        }
      }
      return { companyId, reference };
    }

    it('returns the same documents with the same scores when no candidate bound applies', async () => {
      const index = new PostgresLexicalIndex(db, { maxCandidates: 1_000_000, minCandidateIdf: 0 });
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { minLength: 1, maxLength: 8 }),
          fc.array(query, { minLength: 1, maxLength: 3 }),
          async (operations, queries) => {
            const { companyId, reference } = await replay(index, operations);
            for (const q of queries) {
              const expected = reference.search(q, 50);
              const actual = await index.search({ companyId, type: 'ticket', query: q, k: 50 });
              expect(actual.map((h) => h.id).sort()).toEqual(expected.map((h) => h.id).sort());
              const scoreOf = new Map(expected.map((h) => [h.id, h.score]));
              for (const hit of actual) expect(hit.score).toBeCloseTo(scoreOf.get(hit.id)!, 9);
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it('picks its candidates as selectCandidateTerms does: the documents holding a chosen term, shortest first, up to the cap', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { minLength: 1, maxLength: 8 }),
          query,
          fc.integer({ min: 1, max: 8 }),
          fc.constantFrom(0, 0.1, 0.5, 1),
          async (operations, q, maxCandidates, minCandidateIdf) => {
            const options = { maxCandidates, minCandidateIdf };
            const index = new PostgresLexicalIndex(db, options);
            const { companyId } = await replay(index, operations);
            // The live documents after the operations, as the reference computes them.
            const live = new Map<string, string[]>();
            for (const op of operations) {
              if (op.kind === 'upsert') for (const d of op.docs) live.set(d.id, tokenize(d.text));
              else for (const id of op.ids) live.delete(id);
            }
            const n = live.size;
            const weighted = [...new Set(tokenize(q))]
              .map((term) => ({ term, df: [...live.values()].filter((t) => t.includes(term)).length }))
              .filter((w) => w.df > 0)
              .map((w) => ({ ...w, idf: bm25Idf(n, w.df) }))
              .sort((a, b) => a.df - b.df || (a.term < b.term ? -1 : 1));
            const chosen = weighted.length ? selectCandidateTerms(weighted, options) : [];
            const expected = [...live]
              .filter(([, tokens]) => chosen.some((term) => tokens.includes(term)))
              .sort(([a, ta], [b, tb]) => ta.length - tb.length || (a < b ? -1 : 1))
              .slice(0, maxCandidates)
              .map(([id]) => id)
              .sort();
            const actual = await index.search({ companyId, type: 'ticket', query: q, k: 50 });
            expect(actual.map((h) => h.id).sort()).toEqual(expected);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('with the default candidate bounds, returns a top list whose scores are the BM25 scores, best first', async () => {
      const index = new PostgresLexicalIndex(db, DEFAULT_POSTGRES_LEXICAL_OPTIONS);
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { minLength: 1, maxLength: 8 }),
          query,
          async (operations, q) => {
            const { companyId, reference } = await replay(index, operations);
            const scoreOf = new Map(reference.search(q, 50).map((h) => [h.id, h.score]));
            const actual = await index.search({ companyId, type: 'ticket', query: q, k: 50 });
            for (const hit of actual) expect(hit.score).toBeCloseTo(scoreOf.get(hit.id)!, 9);
            for (let i = 1; i < actual.length; i++)
              expect(actual[i - 1].score).toBeGreaterThanOrEqual(actual[i].score);
          },
        ),
        { numRuns: 25 },
      );
    });
  });

// Services mode only: the BM25 statistics the migration backfills equal those the adapter maintains.
if (process.env.DATABASE_URL) {
  describe('SearchBm25 migration (PostgreSQL)', () => {
    it('backfills document lengths and term and partition statistics from indexed rows, and reverts', async () => {
      const { db, close } = await bareDataSource('postgres');
      try {
        await db.getRepository(CompanyEntity).save([
          { id: 'acme', name: 'Acme' },
          { id: 'globex', name: 'Globex' },
        ]);
        const index = new PostgresLexicalIndex(db);
        const docs = (companyId: string, texts: string[]) =>
          texts.map((text, i) => ({ id: `d${i}`, text, payload: payloadOf(companyId, `d${i}`) }));
        await index.upsert({
          companyId: 'acme',
          type: 'ticket',
          documents: docs('acme', ['refund refund card', '로그인이 안돼요', 'card blocked', 'parcel late']),
        });
        await index.upsert({ companyId: 'acme', type: 'ticket', documents: docs('acme', ['refund please']) });
        await index.delete({ companyId: 'acme', type: 'ticket', ids: ['d3'] });
        await index.upsert({
          companyId: 'globex',
          type: 'ticket',
          documents: docs('globex', ['card card card']),
        });
        const snapshot = async () => ({
          lengths: await db.query(`SELECT company_id, id, doc_length FROM search_document ORDER BY 1, 2`),
          partitions: await db.query(
            `SELECT company_id, type, doc_count::int, total_length::int FROM search_partition_stat ORDER BY 1, 2`,
          ),
          terms: await db.query(
            `SELECT company_id, type, term, df FROM search_term_stat WHERE df > 0 ORDER BY 1, 2, 3`,
          ),
        });
        const maintained = await snapshot();
        expect(maintained.partitions).toEqual([
          { company_id: 'acme', type: 'ticket', doc_count: 3, total_length: 9 },
          { company_id: 'globex', type: 'ticket', doc_count: 1, total_length: 3 },
        ]);

        const migration = new SearchBm25_1764480000000();
        const runner = db.createQueryRunner();
        try {
          await migration.down(runner);
          const columns = await runner.query(
            `SELECT column_name FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = 'search_document' AND column_name = 'doc_length'`,
          );
          expect(columns).toEqual([]);
          await migration.up(runner);
        } finally {
          await runner.release();
        }
        expect(await snapshot()).toEqual(maintained);
      } finally {
        await close();
      }
    });
  });
}

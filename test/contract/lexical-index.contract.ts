import { Bm25Index } from '../../src/modules/search/domain/bm25';
import { SearchDataType, SearchPayload } from '../../src/modules/search/domain/search-document';
import { LexicalDocument, LexicalIndex } from '../../src/modules/search/ports/lexical-index.port';

export interface LexicalIndexHarness {
  index: LexicalIndex;
  /** Releases whatever the factory created (temp folders, schemas). */
  dispose(): Promise<void>;
}

function payloadOf(
  companyId: string,
  id: string,
  overrides: Partial<SearchPayload> = {},
  type: SearchDataType = 'ticket',
): SearchPayload {
  return {
    company_id: companyId,
    type,
    id,
    title: `Subject of ${id}`,
    summary: '',
    status: 'open',
    priority: 'medium',
    tags: [],
    created_at: '2024-01-01T00:00:00.000Z',
    updated_at: '2024-01-01T00:00:00.000Z',
    content_hash: id,
    ...overrides,
  };
}

function doc(
  companyId: string,
  id: string,
  text: string,
  overrides: Partial<SearchPayload> = {},
  type: SearchDataType = 'ticket',
): LexicalDocument {
  return { id, text, payload: payloadOf(companyId, id, overrides, type) };
}

/**
 * The behaviour every LexicalIndex adapter shares (in-process BM25, PostgreSQL full text): company and type
 * partitions, the SearchFilter semantics, Korean without a dictionary, Okapi BM25 ranking (idf per company and
 * type, kept right through replaces and deletes), replace and delete.
 * The factory runs once per case on an empty index; companies `acme` and `globex` exist.
 */
export function runLexicalIndexContract(name: string, factory: () => Promise<LexicalIndexHarness>): void {
  describe(`LexicalIndex contract: ${name}`, () => {
    let harness: LexicalIndexHarness;
    let index: LexicalIndex;

    beforeEach(async () => {
      harness = await factory();
      index = harness.index;
      await index.upsert({
        companyId: 'acme',
        type: 'ticket',
        documents: [
          doc('acme', 't1', 'Refund for a double charge on my card', {
            tags: ['billing'],
            status: 'resolved',
            priority: 'high',
            created_at: '2024-03-01T00:00:00.000Z',
          }),
          doc('acme', 't2', '로그인이 안돼요 비밀번호를 바꿨어요', {
            tags: ['login'],
            created_at: '2024-05-01T00:00:00.000Z',
          }),
          doc('acme', 't3', 'Refund refund: where is my refund for the returned jacket', {
            tags: ['billing', 'returns'],
            created_at: '2024-07-01T00:00:00.000Z',
          }),
          doc('acme', 't4', 'Parcel stuck in transit, tracking not updated', {
            tags: ['shipping'],
            status: 'pending',
            priority: 'low',
          }),
        ],
      });
      await index.upsert({
        companyId: 'globex',
        type: 'ticket',
        documents: [doc('globex', 't1', 'refund refund refund refund')],
      });
      await index.upsert({
        companyId: 'acme',
        type: 'article',
        documents: [doc('acme', 'kb1', 'How refunds work: refund policy', {}, 'article')],
      });
    });

    afterEach(() => harness.dispose());

    it('searches one company and one type only', async () => {
      const hits = await index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 });
      expect(hits.map((h) => h.id).sort()).toEqual(['t1', 't3']);
      expect(hits.every((h) => h.payload.company_id === 'acme' && h.type === 'ticket')).toBe(true);
      const articles = await index.search({ companyId: 'acme', type: 'article', query: 'refund', k: 10 });
      expect(articles.map((h) => [h.id, h.type])).toEqual([['kb1', 'article']]);
      await expect(
        index.search({ companyId: 'initech', type: 'ticket', query: 'refund', k: 10 }),
      ).resolves.toEqual([]);
    });

    it('ranks the document with more of the query first and returns its payload', async () => {
      const hits = await index.search({ companyId: 'acme', type: 'ticket', query: 'refund jacket', k: 10 });
      expect(hits[0]).toMatchObject({
        id: 't3',
        payload: { tags: ['billing', 'returns'], created_at: '2024-07-01T00:00:00.000Z' },
      });
      expect(hits[0].score).toBeGreaterThan(hits[1].score);
      expect(await index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 1 })).toHaveLength(
        1,
      );
    });

    it('ranks a rare query term above a common one (inverse document frequency)', async () => {
      await index.upsert({
        companyId: 'acme',
        type: 'article',
        documents: [
          doc('acme', 'a1', 'password reset email', {}, 'article'),
          doc('acme', 'a2', 'password change', {}, 'article'),
          doc('acme', 'a3', 'password expired', {}, 'article'),
          doc('acme', 'a4', 'invoice download', {}, 'article'),
        ],
      });
      const hits = await index.search({
        companyId: 'acme',
        type: 'article',
        query: 'password invoice',
        k: 10,
      });
      expect(hits[0].id).toBe('a4');
      expect(hits[0].score).toBeGreaterThan(hits[1].score);
      // Another company's documents do not change this company's frequencies.
      await index.upsert({
        companyId: 'globex',
        type: 'article',
        documents: ['g1', 'g2', 'g3', 'g4', 'g5'].map((id) => doc('globex', id, 'invoice', {}, 'article')),
      });
      const again = await index.search({
        companyId: 'acme',
        type: 'article',
        query: 'password invoice',
        k: 10,
      });
      expect(again.map((h) => [h.id, h.score])).toEqual(hits.map((h) => [h.id, h.score]));
    });

    it('scores by Okapi BM25 of the live documents after replaces and deletes', async () => {
      const texts: Record<string, string> = {
        t1: 'Refund for a double charge on my card',
        t2: '로그인이 안돼요 비밀번호를 바꿨어요',
        t3: 'Refund refund: where is my refund for the returned jacket',
        t4: 'Parcel stuck in transit, tracking not updated',
      };
      const replace = async (id: string, text: string) => {
        texts[id] = text;
        await index.upsert({ companyId: 'acme', type: 'ticket', documents: [doc('acme', id, text)] });
      };
      await replace('t4', 'Card refund for a parcel never delivered, card charged twice');
      await replace('t5', 'my card was charged for a refund');
      await replace('t5', 'card declined at checkout, card blocked');
      await index.delete({ companyId: 'acme', type: 'ticket', ids: ['t1', 'nope'] });
      delete texts.t1;
      await replace('t6', 'jacket returned, where is the card refund');

      const reference = new Bm25Index();
      for (const [id, text] of Object.entries(texts)) reference.upsert(id, text, payloadOf('acme', id));
      for (const query of [
        'card refund',
        'refund jacket parcel',
        '로그인 비밀번호',
        'card',
        'double charge',
      ]) {
        const expected = reference.search(query, 20);
        const actual = await index.search({ companyId: 'acme', type: 'ticket', query, k: 20 });
        expect(actual.map((h) => h.id).sort()).toEqual(expected.map((h) => h.id).sort());
        const scoreOf = new Map(expected.map((h) => [h.id, h.score]));
        for (const hit of actual) expect(hit.score).toBeCloseTo(scoreOf.get(hit.id)!, 6);
      }
    });

    it('applies every filter the same way as matchesFilter', async () => {
      const ids = async (filter: object) =>
        (
          await index.search({
            companyId: 'acme',
            type: 'ticket',
            query: 'refund parcel 로그인',
            k: 10,
            filter,
          })
        )
          .map((h) => h.id)
          .sort();
      expect(await ids({})).toEqual(['t1', 't2', 't3', 't4']);
      expect(await ids({ status: ['resolved', 'pending'] })).toEqual(['t1', 't4']);
      expect(await ids({ priority: ['low'] })).toEqual(['t4']);
      expect(await ids({ tags: ['returns', 'login'] })).toEqual(['t2', 't3']);
      expect(
        await ids({ createdFrom: '2024-03-01T00:00:00.000Z', createdTo: '2024-05-01T00:00:00.000Z' }),
      ).toEqual(['t1', 't2']);
      expect(await ids({ excludeIds: ['t1', 't4'] })).toEqual(['t2', 't3']);
      expect(await ids({ tags: ['billing'], excludeIds: ['t3'] })).toEqual(['t1']);
    });

    it('finds Korean words inside words with particles attached', async () => {
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: '로그인', k: 10 }),
      ).resolves.toMatchObject([{ id: 't2' }]);
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: '비밀번호 변경', k: 10 }),
      ).resolves.toMatchObject([{ id: 't2' }]);
    });

    it('replaces a document on upsert and forgets it on delete', async () => {
      await index.upsert({
        companyId: 'acme',
        type: 'ticket',
        documents: [doc('acme', 't1', 'Invoice needs our VAT number', { status: 'closed' })],
      });
      expect(
        (await index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 })).map((h) => h.id),
      ).toEqual(['t3']);
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: 'vat', k: 10 }),
      ).resolves.toMatchObject([{ id: 't1', payload: { status: 'closed' } }]);
      await index.delete({ companyId: 'acme', type: 'ticket', ids: ['t3', 'missing'] });
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 }),
      ).resolves.toEqual([]);
      // The other company's document with the same id is untouched.
      await expect(
        index.search({ companyId: 'globex', type: 'ticket', query: 'refund', k: 10 }),
      ).resolves.toMatchObject([{ id: 't1' }]);
    });

    it('deletes a whole company partition with its statistics, leaves the other company alone, idempotently', async () => {
      expect(await index.countCompany({ companyId: 'acme', type: 'ticket' })).toBeGreaterThanOrEqual(4);
      await expect(index.deleteCompany({ companyId: 'acme', type: 'ticket' })).resolves.toBe(4);
      await expect(index.deleteCompany({ companyId: 'acme', type: 'article' })).resolves.toBe(1);
      await expect(index.countCompany({ companyId: 'acme', type: 'ticket' })).resolves.toBe(0);
      await expect(index.countCompany({ companyId: 'acme', type: 'article' })).resolves.toBe(0);
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 }),
      ).resolves.toEqual([]);
      await expect(
        index.search({ companyId: 'globex', type: 'ticket', query: 'refund', k: 10 }),
      ).resolves.toMatchObject([{ id: 't1' }]);
      expect(await index.countCompany({ companyId: 'globex', type: 'ticket' })).toBeGreaterThan(0);
      await expect(index.deleteCompany({ companyId: 'acme', type: 'ticket' })).resolves.toBe(0);
      // Indexed again afterwards, scored from fresh statistics.
      await index.upsert({
        companyId: 'acme',
        type: 'ticket',
        documents: [doc('acme', 't9', 'refund again')],
      });
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 10 }),
      ).resolves.toMatchObject([{ id: 't9' }]);
    });

    it('treats query syntax as plain text and returns nothing for a query without words', async () => {
      for (const query of [`refund's & | ! ( ) : * \\ "quoted"`, "o'brien", 'refund:*']) {
        const hits = await index.search({ companyId: 'acme', type: 'ticket', query, k: 10 });
        expect(Array.isArray(hits)).toBe(true);
      }
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: '?! ...', k: 10 }),
      ).resolves.toEqual([]);
      await expect(index.search({ companyId: 'acme', type: 'ticket', query: 'the', k: 10 })).resolves.toEqual(
        [],
      );
    });

    it('refuses documents of another company or type and a bad k, naming the problem', async () => {
      await expect(
        index.upsert({ companyId: 'acme', type: 'ticket', documents: [doc('globex', 'x', 'x')] }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(
        index.upsert({
          companyId: 'acme',
          type: 'ticket',
          documents: [doc('acme', 'x', 'x', {}, 'article')],
        }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(
        index.search({ companyId: 'acme', type: 'ticket', query: 'refund', k: 0 }),
      ).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^k /) });
    });
  });
}

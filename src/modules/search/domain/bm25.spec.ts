import { Bm25Index } from './bm25';
import { SearchPayload } from './search-document';

const payload = (id: string, overrides: Partial<SearchPayload> = {}): SearchPayload => ({
  company_id: 'acme',
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

describe('Bm25Index', () => {
  function corpus(): Bm25Index {
    const index = new Bm25Index();
    index.upsert(
      'refund',
      'Customer asks for a refund of a double charge',
      payload('refund', { tags: ['billing'] }),
    );
    index.upsert(
      'login',
      'Cannot login after password reset, login page loops',
      payload('login', { status: 'closed' }),
    );
    index.upsert('ko', '결제 후 환불 요청드립니다. 로그인이 안돼요', payload('ko'));
    index.upsert('shipping', 'Where is my package? Shipping is late', payload('shipping'));
    return index;
  }

  it('ranks by BM25: rarer terms and higher term frequency score more', () => {
    const hits = corpus().search('login password', 10);
    expect(hits.map((h) => h.id)).toEqual(['login']);
    expect(hits[0].score).toBeGreaterThan(0);
    const index = corpus();
    index.upsert('login2', 'login issue', payload('login2'));
    expect(index.search('login', 10).map((h) => h.id)).toEqual(['login2', 'login']);
  });

  it('matches Korean through character bigrams', () => {
    expect(
      corpus()
        .search('로그인', 10)
        .map((h) => h.id),
    ).toEqual(['ko']);
    expect(
      corpus()
        .search('환불', 10)
        .map((h) => h.id),
    ).toEqual(['ko']);
  });

  it('applies filters and k', () => {
    expect(
      corpus()
        .search('login refund', 10, { status: ['open'] })
        .map((h) => h.id),
    ).toEqual(['refund']);
    expect(corpus().search('login refund', 1)).toHaveLength(1);
    expect(corpus().search('', 10)).toEqual([]);
  });

  it('replaces a document on upsert and forgets it on remove', () => {
    const index = corpus();
    index.upsert('refund', 'totally different words', payload('refund'));
    expect(index.search('refund', 10)).toEqual([]);
    expect(index.remove('login')).toBe(true);
    expect(index.remove('login')).toBe(false);
    expect(index.search('login', 10)).toEqual([]);
    expect(index.size).toBe(3);
  });

  it('survives a snapshot round trip with identical results', () => {
    const index = corpus();
    const restored = Bm25Index.fromSnapshot(JSON.parse(JSON.stringify(index.snapshot())));
    expect(restored.search('login refund 로그인', 10)).toEqual(index.search('login refund 로그인', 10));
  });

  it('handles tokens that are Object.prototype names', () => {
    const index = new Bm25Index();
    index.upsert('p', 'constructor toString __proto__ hasOwnProperty', payload('p'));
    expect(index.search('constructor', 5).map((h) => h.id)).toEqual(['p']);
  });
});

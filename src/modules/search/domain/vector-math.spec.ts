import { pointIdOf } from './point-id';
import { matchesFilter, SearchPayload } from './search-document';
import { dotAt, normalized, TopK } from './vector-math';

describe('vector math', () => {
  it('normalizes to unit length and leaves a zero vector alone', () => {
    expect(Array.from(normalized([3, 4]))).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(normalized([0, 0]))).toEqual([0, 0]);
  });

  it('computes a dot product against a row of a flat matrix', () => {
    const matrix = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(dotAt(Float32Array.from([1, 1, 1, 1, 1]), matrix, 5)).toBe(40);
  });

  it('TopK keeps the k best, best first, ties by lower label', () => {
    const top = new TopK(3);
    [0.1, 0.9, 0.5, 0.9, 0.2, 0.7].forEach((score, label) => top.offer(label, score));
    expect(top.sorted()).toEqual([
      { label: 1, score: 0.9 },
      { label: 3, score: 0.9 },
      { label: 5, score: 0.7 },
    ]);
  });
});

describe('pointIdOf', () => {
  it('is a stable version-5 style UUID, distinct per company and type', () => {
    const id = pointIdOf('acme', 'ticket', 'T-1');
    expect(id).toBe(pointIdOf('acme', 'ticket', 'T-1'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(
      new Set([id, pointIdOf('globex', 'ticket', 'T-1'), pointIdOf('acme', 'article', 'T-1')]).size,
    ).toBe(3);
  });
});

describe('matchesFilter', () => {
  const payload: SearchPayload = {
    company_id: 'acme',
    type: 'ticket',
    id: 't1',
    title: '',
    summary: '',
    status: 'open',
    priority: 'high',
    tags: ['a', 'b'],
    created_at: '2024-05-01T12:00:00Z',
    updated_at: '2024-05-01T12:00:00Z',
    content_hash: '',
  };

  it('ANDs the fields, ORs within each list, and treats the date range inclusively', () => {
    expect(matchesFilter(payload, undefined)).toBe(true);
    expect(matchesFilter(payload, { status: ['open', 'closed'], tags: ['z', 'b'] })).toBe(true);
    expect(matchesFilter(payload, { status: ['open'], priority: ['low'] })).toBe(false);
    expect(
      matchesFilter(payload, { createdFrom: '2024-05-01T12:00:00.000Z', createdTo: '2024-05-01T12:00:00Z' }),
    ).toBe(true);
    expect(matchesFilter(payload, { createdFrom: '2024-05-01T12:00:01Z' })).toBe(false);
    expect(matchesFilter(payload, { excludeIds: ['t1'] })).toBe(false);
  });
});

import { findDuplicateIds, planUpsert } from './upsert-plan';

const at = (iso: string) => new Date(iso);

describe('planUpsert', () => {
  const stored = new Map([
    ['a', { contentHash: 'h1', updatedAt: at('2024-01-01T00:00:00Z') }],
    ['b', { contentHash: 'h2', updatedAt: at('2024-01-01T00:00:00Z') }],
  ]);

  it('writes new and changed rows and counts identical ones as unchanged', () => {
    const plan = planUpsert(
      [
        { id: 'a', contentHash: 'h1', updatedAt: at('2024-01-01T00:00:00Z'), row: 'a' },
        { id: 'b', contentHash: 'changed', updatedAt: at('2024-01-01T00:00:00Z'), row: 'b' },
        { id: 'c', contentHash: 'h3', updatedAt: at('2024-01-01T00:00:00Z'), row: 'c' },
      ],
      stored,
    );
    expect(plan).toEqual({ write: ['b', 'c'], unchanged: 1 });
  });

  it('rewrites a row whose updated_at moved even if the content did not', () => {
    const plan = planUpsert([{ id: 'a', contentHash: 'h1', updatedAt: at('2024-02-01T00:00:00Z'), row: 'a' }], stored);
    expect(plan).toEqual({ write: ['a'], unchanged: 0 });
  });
});

describe('findDuplicateIds', () => {
  it('names each repeated id with both positions', () => {
    expect(findDuplicateIds(['x', 'y', 'x', 'x'], { list: 'tickets', key: 'ticket_id' })).toEqual([
      "tickets[2].ticket_id duplicates tickets[0].ticket_id ('x')",
      "tickets[3].ticket_id duplicates tickets[0].ticket_id ('x')",
    ]);
    expect(findDuplicateIds(['x', 'y'], { list: 'tickets', key: 'ticket_id' })).toEqual([]);
  });
});

import type { DataSource, EntityManager } from 'typeorm';
import { serialTransaction } from './serial-transaction';

/** A DataSource double that records how many transactions overlap. */
function fakeDb(type: string) {
  const state = { active: 0, maxActive: 0 };
  const db = {
    options: { type },
    transaction: async <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => {
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        await new Promise((r) => setImmediate(r));
        return await work({} as EntityManager);
      } finally {
        state.active--;
      }
    },
  } as unknown as DataSource;
  return { db, state };
}

describe('serialTransaction', () => {
  const slow = (value: number) => async () => {
    await new Promise((r) => setImmediate(r));
    return value;
  };

  it('runs SQLite transactions one at a time, in order, and returns their results', async () => {
    const { db, state } = fakeDb('better-sqlite3');
    const results = await Promise.all([1, 2, 3].map((n) => serialTransaction(db, slow(n))));
    expect(results).toEqual([1, 2, 3]);
    expect(state.maxActive).toBe(1);
  });

  it('goes on after a failed transaction', async () => {
    const { db } = fakeDb('better-sqlite3');
    const failing = serialTransaction(db, async () => {
      throw new Error('boom');
    });
    const next = serialTransaction(db, slow(7));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(7);
  });

  it('leaves PostgreSQL transactions concurrent', async () => {
    const { db, state } = fakeDb('postgres');
    await Promise.all([1, 2, 3].map((n) => serialTransaction(db, slow(n))));
    expect(state.maxActive).toBe(3);
  });
});

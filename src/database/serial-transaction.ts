import { DataSource, EntityManager } from 'typeorm';

const tails = new WeakMap<DataSource, Promise<unknown>>();

/**
 * `db.transaction(work)`, one at a time per DataSource on SQLite. TypeORM's SQLite drivers share one query
 * runner: two transactions started concurrently both issue BEGIN ("cannot start a transaction within a
 * transaction"), or worse, one's COMMIT ends the other's work. Upserts of the API and the indexing writes of
 * overlapping chunks are such concurrent transactions in the embedded app. A single write statement goes through
 * here too: issued while another transaction is open, it would run inside it and vanish with its rollback
 * (test/integration/database/sqlite-concurrent-writes.spec.ts). PostgreSQL pools connections, so there
 * transactions run concurrently as before.
 */
export function serialTransaction<T>(db: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (db.options.type === 'postgres') return db.transaction(work);
  const previous = tails.get(db) ?? Promise.resolve();
  const run = previous.then(
    () => db.transaction(work),
    () => db.transaction(work),
  );
  tails.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

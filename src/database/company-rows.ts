import { DataSource } from 'typeorm';
import { serialTransaction } from './serial-transaction';

/** Rows removed per statement when a company is erased: short transactions, bounded memory and lock time. */
export const ERASE_BATCH = 2_000;

/**
 * Deletes every row of one company from `table`, one short statement per batch (by physical row id: `ctid` in
 * PostgreSQL, `rowid` in SQLite, so no key is read into memory), until a batch comes back short. Each batch is
 * its own transaction: other tenants' writes interleave, and a crash keeps what was done (the retry goes on).
 */
export async function deleteCompanyRows(
  db: DataSource,
  input: { table: string; companyId: string; batch?: number },
): Promise<number> {
  const batch = input.batch ?? ERASE_BATCH;
  const rowId = db.options.type === 'postgres' ? 'ctid' : 'rowid';
  let deleted = 0;
  for (;;) {
    const result = await serialTransaction(db, (tx) =>
      tx
        .createQueryBuilder()
        .delete()
        .from(input.table)
        .where(
          `${rowId} IN (SELECT ${rowId} FROM ${input.table} WHERE company_id = :companyId LIMIT ${batch})`,
          { companyId: input.companyId },
        )
        .execute(),
    );
    const affected = result.affected ?? 0;
    deleted += affected;
    if (affected < batch) return deleted;
  }
}

/** Rows of the company still in `table`. */
export async function countCompanyRows(
  db: DataSource,
  input: { table: string; companyId: string },
): Promise<number> {
  const rows: Array<{ n: number | string }> = await db
    .createQueryBuilder()
    .select('COUNT(*)', 'n')
    .from(input.table, 't')
    .where('t.company_id = :companyId', { companyId: input.companyId })
    .getRawMany();
  return Number(rows[0]?.n ?? 0);
}

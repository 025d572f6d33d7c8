import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../../src/config/config';
import { TableStatisticsService } from '../../../src/database/table-statistics.service';
import { bareDataSource } from '../ingest/bare-data-source';
import { describeSkippedWithout } from '../../support/services';

const CONFIG = { database: { kind: 'postgres' }, ingest: { analyzeCheckMs: 0 } } as unknown as AppConfig;

/** The planner's row estimate for one company's tickets. */
async function estimatedRows(db: DataSource, companyId: string): Promise<number> {
  const [row] = await db.query(
    `EXPLAIN (FORMAT JSON) SELECT * FROM ticket WHERE company_id = '${companyId}'`,
  );
  return row['QUERY PLAN'][0].Plan['Plan Rows'];
}

/** Polls until the check analyzes something: the change counters reach pg_stat with a delay of up to ~10 s. */
async function refreshUntilDue(service: TableStatisticsService, timeoutMs = 25_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const analyzed = await service.refresh();
    if (analyzed.length > 0 || Date.now() > deadline) return analyzed;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// Services mode only: planner statistics are PostgreSQL's.
if (process.env.DATABASE_URL) {
  describe('TableStatisticsService (PostgreSQL)', () => {
    let db: DataSource;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await bareDataSource('postgres'));
      await db.query(`INSERT INTO company (id, name) VALUES ('big', 'Big'), ('small', 'Small')`);
    });
    afterAll(() => close());

    const insertTickets = (companyId: string, from: number, count: number) =>
      db.query(
        `INSERT INTO ticket (company_id, ticket_id, subject, status, priority, tags, created_at, updated_at,
                             content_hash, index_state)
         SELECT $1, 'T-' || g, 'subject ' || g, 'open', 'low', '[]', now(), now(), md5(g::text), 'pending'
           FROM generate_series($2::int, $3::int) g`,
        [companyId, from, from + count - 1],
      );

    it('analyzes a table once a fifth of it changed, so a big company is planned as big', async () => {
      await insertTickets('small', 1, 20);
      await insertTickets('big', 1, 5_000);
      const before = await estimatedRows(db, 'big');

      const analyzed = await refreshUntilDue(new TableStatisticsService(db, CONFIG));
      expect(analyzed).toContain('ticket');
      const after = await estimatedRows(db, 'big');
      expect(after).toBeGreaterThan(4_000);
      expect(after).toBeGreaterThan(before * 2);
      // The small company stays small in the planner's eyes: no scan over the big one's rows for it.
      expect(await estimatedRows(db, 'small')).toBeLessThan(500);
    }, 40_000);

    it('leaves a table alone while its changes stay under a fifth of it', async () => {
      const service = new TableStatisticsService(db, CONFIG);
      await refreshUntilDue(service, 2_000);
      await insertTickets('big', 10_000, 300);
      // Wait until the change counters show the 300 rows: 300 of 5,320 is not due.
      const deadline = Date.now() + 25_000;
      for (;;) {
        const [row] = await db.query(
          `SELECT n_mod_since_analyze::int AS changed FROM pg_stat_user_tables
            WHERE schemaname = current_schema() AND relname = 'ticket'`,
        );
        if (row.changed >= 300 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await service.refresh()).not.toContain('ticket');
    }, 40_000);
  });
} else {
  describeSkippedWithout('TableStatisticsService (PostgreSQL)', ['DATABASE_URL']);
}

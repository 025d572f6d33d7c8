import { DataSource } from 'typeorm';
import { isDatabaseConnectionError } from '../../../src/common/errors/database-errors';
import { loadConfig } from '../../../src/config/config';
import { buildDataSourceOptions } from '../../../src/database/data-source-options';
import { describeSkippedWithout, missingServices } from '../../support/services';
import { TcpProxy } from '../../support/tcp-proxy';

/**
 * What the PostgreSQL driver (through TypeORM, with the app's own pool options) throws when the connection is
 * lost: each must read as "the database cannot be reached" (a 503 and the degraded answers), never as a bug
 * (a 500). The server is reached through a TCP proxy that resets connections, as a crashed or restarting server
 * does; the shared server is never touched.
 */
const needs = ['DATABASE_URL'];

if (missingServices(...needs).length > 0) {
  describeSkippedWithout('losing the PostgreSQL connection (driver errors)', needs);
} else {
  describe('losing the PostgreSQL connection (driver errors)', () => {
    let proxy: TcpProxy;
    let db: DataSource;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const failure = (work: Promise<unknown>) =>
      work.then(
        () => {
          throw new Error('expected the database call to fail');
        },
        (error: unknown) => error,
      );

    beforeAll(async () => {
      const url = new URL(process.env.DATABASE_URL!);
      proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
      const config = loadConfig({
        DATABASE_URL: proxy.rewrite(process.env.DATABASE_URL!),
        ADMIN_API_KEY: 'a'.repeat(40),
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
      });
      // The app's pool and bounds; no schema of its own is needed for these statements.
      db = new DataSource({
        ...buildDataSourceOptions(config),
        migrationsRun: false,
        entities: [],
        logging: false,
        logger: 'simple-console',
      } as never);
      await db.initialize();
    });

    afterEach(() => proxy.resume());

    afterAll(async () => {
      await db?.destroy();
      await proxy?.close();
    });

    it('a statement in flight when the connection is reset', async () => {
      const running = failure(db.query('SELECT pg_sleep(2)'));
      await sleep(200);
      proxy.cut();
      const error = await running;
      expect(classified(error)).toEqual(expect.objectContaining({ connection: true }));
    });

    it('a pooled connection reset while idle, then used', async () => {
      await Promise.all([db.query('SELECT 1'), db.query('SELECT 2'), db.query('SELECT 3')]);
      proxy.cut();
      for (let i = 0; i < 3; i++) {
        expect(classified(await failure(db.query('SELECT 1')))).toEqual(expect.objectContaining({ connection: true }));
      }
    });

    it('the next statement of a transaction whose connection was reset, and the transaction itself', async () => {
      let next: unknown;
      const transaction = failure(
        db.transaction(async (manager) => {
          await manager.query('SELECT 1');
          proxy.cut();
          await sleep(100); // the reset is read, and TypeORM releases the transaction's connection
          next = await failure(manager.query('SELECT 2'));
          throw next;
        }),
      );
      const error = await transaction;
      expect(classified(next)).toEqual(expect.objectContaining({ connection: true }));
      expect(classified(error)).toEqual(expect.objectContaining({ connection: true }));
    });

    it('a new connection while the server refuses', async () => {
      proxy.cut();
      const error = await failure(
        (async () => {
          const runner = db.createQueryRunner();
          try {
            await runner.connect();
            await runner.query('SELECT 1');
          } finally {
            await runner.release();
          }
        })(),
      );
      expect(classified(error)).toEqual(expect.objectContaining({ connection: true }));
    });

    /** The classification with what was classified, so a failure names the error. */
    function classified(error: unknown): { connection: boolean; error: string } {
      const { name, message, code } = (error ?? {}) as { name?: string; message?: string; code?: string };
      return { connection: isDatabaseConnectionError(error), error: `${name}: ${message} (${code})` };
    }
  });
}

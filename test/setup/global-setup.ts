import { Client } from 'pg';
import Redis from 'ioredis';

/**
 * Runs once before the integration and e2e suites. When CI points the suite at PostgreSQL and Redis,
 * they must answer: an unreachable service fails the run instead of silently testing less.
 */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const name = new URL(databaseUrl).pathname.replace(/^\//, '');
    if (!/test/i.test(name)) {
      throw new Error(`refusing to run tests against database '${name}': its name must contain 'test'`);
    }
    const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      throw new Error(`DATABASE_URL is set but PostgreSQL does not answer: ${String(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  for (const variable of ['REDIS_URL', 'QUEUE_REDIS_URL']) {
    const url = process.env[variable];
    if (!url) continue;
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new Error(`${variable} is set but Redis does not answer: ${String(error)}`);
    } finally {
      redis.disconnect();
    }
  }
}

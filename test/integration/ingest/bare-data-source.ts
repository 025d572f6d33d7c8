import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config/config';
import { buildDataSourceOptions } from '../../../src/database/data-source-options';
import type { DbTarget } from '../../setup/test-app';

/** A migrated database without the app (a fresh SQLite file or PostgreSQL schema), for repository tests. */
export async function bareDataSource(target: DbTarget): Promise<{ db: DataSource; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-repo-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: 'test-admin-key-0123456789abcdef',
  };
  const url = process.env.DATABASE_URL;
  const schema = `r_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (target === 'postgres') {
    if (!url) throw new Error('postgres target needs DATABASE_URL');
    await withPg(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
    Object.assign(env, { DATABASE_URL: url, DATABASE_SCHEMA: schema });
  }
  // Migration chatter is noise here; errors still print.
  Logger.overrideLogger(['error']);
  const db = new DataSource(buildDataSourceOptions(loadConfig(env)));
  await db.initialize();
  return {
    db,
    async close() {
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
      if (target === 'postgres') await withPg(url!, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    },
  };
}

async function withPg<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { loadSqliteDriver } from './sqlite-driver';
import { TypeOrmLoggerAdapter } from './typeorm-logger.adapter';

/** One builder for the Nest module and the TypeORM CLI; migrations always run at start, never synchronize. */
export function buildDataSourceOptions(config: AppConfig): DataSourceOptions {
  const db = config.database;
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    migrationsRun: true,
    synchronize: false,
    logger: new TypeOrmLoggerAdapter(db.logging),
    maxQueryExecutionTime: 1_000,
  };
  if (db.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: db.url,
      schema: db.schema,
      migrations: POSTGRES_MIGRATIONS,
      migrationsTransactionMode: 'each',
      extra: {
        max: db.poolSize,
        // A database that is down or partitioned answers a write 503 within this, not after a long pool wait:
        // it bounds both opening a connection and waiting for a free one.
        connectionTimeoutMillis: db.connectTimeoutMs,
        idleTimeoutMillis: 30_000,
        // statement_timeout is enforced by the server, so it cannot end a query whose server went silent;
        // this client-side bound can (the connection is then discarded).
        query_timeout: db.statementTimeoutMs + 1_000,
        // A silent peer is noticed on idle pooled connections too.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        // Every query is bounded; the schema is pinned for unqualified migration SQL.
        options: `-c search_path=${db.schema} -c statement_timeout=${db.statementTimeoutMs}`,
      },
    };
  }
  const path = resolve(db.path ?? join(config.app.dataDir, 'support-copilot.sqlite'));
  mkdirSync(dirname(path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    driver: loadSqliteDriver(),
    database: path,
    migrations: SQLITE_MIGRATIONS,
    enableWAL: true,
    timeout: 5_000,
  };
}

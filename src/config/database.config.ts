import { IsOptional, IsString } from 'class-validator';
import { defineConfig, toBool, toInt } from './define-config';
import { IsBoolString, IsIntString, IsPostgresUrl } from './validators';

class DatabaseEnv {
  @IsOptional() @IsPostgresUrl() DATABASE_URL?: string = undefined;
  @IsOptional() @IsString() DATABASE_SCHEMA?: string = undefined;
  @IsOptional() @IsString() SQLITE_PATH?: string = undefined;
  @IsOptional() @IsIntString(1) DATABASE_POOL_SIZE?: string = undefined;
  @IsOptional() @IsIntString(1) DATABASE_STATEMENT_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsIntString(1) DATABASE_CONNECT_TIMEOUT_MS?: string = undefined;
  @IsOptional() @IsBoolString() DATABASE_LOGGING?: string = undefined;
}

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; schema: string; poolSize: number; statementTimeoutMs: number; connectTimeoutMs: number; logging: boolean }
  | { kind: 'sqlite'; path: string | null; logging: boolean };

export const databaseConfig = defineConfig<DatabaseEnv, DatabaseSettings>('database', DatabaseEnv, (env) =>
  env.DATABASE_URL
    ? {
        kind: 'postgres',
        url: env.DATABASE_URL,
        schema: env.DATABASE_SCHEMA ?? 'public',
        poolSize: toInt(env.DATABASE_POOL_SIZE, 10),
        statementTimeoutMs: toInt(env.DATABASE_STATEMENT_TIMEOUT_MS, 15_000),
        connectTimeoutMs: toInt(env.DATABASE_CONNECT_TIMEOUT_MS, 1_000),
        logging: toBool(env.DATABASE_LOGGING, false),
      }
    : // null path: resolved under DATA_DIR at boot (see DatabaseModule).
      { kind: 'sqlite', path: env.SQLITE_PATH ?? null, logging: toBool(env.DATABASE_LOGGING, false) },
);

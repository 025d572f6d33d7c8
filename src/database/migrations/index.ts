import { Init1764460000000 } from './postgres/1764460000000-init';
import { InitSqlite1764460000000 } from './sqlite/1764460000000-init';

/** Explicit lists (no globs) so the same code runs from src under Jest and from dist. */
export const POSTGRES_MIGRATIONS = [Init1764460000000];
export const SQLITE_MIGRATIONS = [InitSqlite1764460000000];

import { Init1764460000000 } from './postgres/1764460000000-init';
import { SearchDocument1764470000000 } from './postgres/1764470000000-search-document';
import { InitSqlite1764460000000 } from './sqlite/1764460000000-init';

/** Explicit lists (no globs) so the same code runs from src under Jest and from dist. */
export const POSTGRES_MIGRATIONS = [Init1764460000000, SearchDocument1764470000000];
export const SQLITE_MIGRATIONS = [InitSqlite1764460000000];

import { Init1764460000000 } from './postgres/1764460000000-init';
import { SearchDocument1764470000000 } from './postgres/1764470000000-search-document';
import { SearchBm25_1764480000000 } from './postgres/1764480000000-search-bm25';
import { DataLifecycle1764490000000 } from './postgres/1764490000000-data-lifecycle';
import { AssistState1764500000000 } from './postgres/1764500000000-assist-state';
import { InitSqlite1764460000000 } from './sqlite/1764460000000-init';
import { DataLifecycleSqlite1764490000000 } from './sqlite/1764490000000-data-lifecycle';
import { AssistStateSqlite1764500000000 } from './sqlite/1764500000000-assist-state';

/** Explicit lists (no globs) so the same code runs from src under Jest and from dist. */
export const POSTGRES_MIGRATIONS = [
  Init1764460000000,
  SearchDocument1764470000000,
  SearchBm25_1764480000000,
  DataLifecycle1764490000000,
  AssistState1764500000000,
];
export const SQLITE_MIGRATIONS = [
  InitSqlite1764460000000,
  DataLifecycleSqlite1764490000000,
  AssistStateSqlite1764500000000,
];

import { createRequire } from 'node:module';

/**
 * The embedded database's driver, picked for the running Node. better-sqlite3 12 is a V8-API addon: on Node 24
 * its Statement finalizer aborts the process (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook)
 * once the garbage collector runs it outside a Node environment, which a busy server does. better-sqlite3 13 is a
 * prebuilt Node-API addon without that fault, but it needs Node 22 and crashes on Node 20. Both are installed
 * (13 under the alias `better-sqlite3-node-api`), and the start takes the one that works here.
 */
export type SqliteDriverPackage = 'better-sqlite3' | 'better-sqlite3-node-api';

export function sqliteDriverPackage(nodeVersion: string = process.versions.node): SqliteDriverPackage {
  const major = Number.parseInt(nodeVersion, 10);
  return major >= 22 ? 'better-sqlite3-node-api' : 'better-sqlite3';
}

/** The driver module TypeORM's `better-sqlite3` type is given (its `driver` option). */
export function loadSqliteDriver(): unknown {
  // A plain require: only the chosen addon is ever loaded (the other one would crash this Node).
  return createRequire(__filename)(sqliteDriverPackage());
}

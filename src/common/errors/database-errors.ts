import { types } from 'node:util';

/** Driver error codes that mean "the database cannot be reached right now", not "the query is wrong". */
const DB_CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '53300', // too_many_connections
]);

/**
 * The driver's and pool's own messages for a lost or unobtainable connection (pg, pg-pool), and TypeORM's for a
 * transaction's next statement after its connection was lost: TypeORM releases a query runner whose connection
 * raised an error, so the statement after it fails with "already released" rather than the connection's error.
 */
const DB_CONNECTION_MESSAGES =
  /Connection terminated|connection is closed|timeout exceeded when trying to connect|Query read timeout|is not queryable|query runner was already released/i;

/**
 * True for an error that a database restart or partition throws (pg, pg-pool, TypeORM's wrappers). An error is
 * recognised by its internal slot, not `instanceof Error`: Node's socket errors (ECONNRESET) are built by the
 * main realm's Error, which a caller running in another realm (a vm context, as under Jest) does not see as one.
 */
export function isDatabaseConnectionError(e: unknown): boolean {
  if (!types.isNativeError(e) && !(e instanceof Error)) return false;
  const code = (e as { code?: string }).code ?? (e as { driverError?: { code?: string } }).driverError?.code;
  if (code && DB_CONNECTION_ERRORS.has(code)) return true;
  return DB_CONNECTION_MESSAGES.test(e.message);
}

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

/** True for an error that a database restart or partition throws (pg, pg-pool, TypeORM's wrappers). */
export function isDatabaseConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: string }).code ?? (e as { driverError?: { code?: string } }).driverError?.code;
  if (code && DB_CONNECTION_ERRORS.has(code)) return true;
  return /Connection terminated|connection is closed|timeout exceeded when trying to connect|Query read timeout/i.test(
    e.message,
  );
}

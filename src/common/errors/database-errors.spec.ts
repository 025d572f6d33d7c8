import { runInNewContext } from 'node:vm';
import { QueryFailedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseConnectionError } from './database-errors';

/** An error as Node's own net module raises it: built by another realm's Error when the caller runs in a vm (Jest). */
function systemErrorFromAnotherRealm(message: string, code: string): unknown {
  return runInNewContext('Object.assign(new Error(message), { code, errno: -104, syscall: "read" })', {
    message,
    code,
  });
}

describe('isDatabaseConnectionError', () => {
  it('is true for a reset or refused connection, whichever realm built the error', () => {
    const reset = systemErrorFromAnotherRealm('read ECONNRESET', 'ECONNRESET');
    expect(reset instanceof Error).toBe(false); // what made it look like a bug: a 500 instead of a 503
    expect(isDatabaseConnectionError(reset)).toBe(true);
    expect(isDatabaseConnectionError(systemErrorFromAnotherRealm('connect ECONNREFUSED', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseConnectionError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('is true for the driver’s own words for a lost connection, and for TypeORM’s wrappers of them', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Query read timeout',
      'Client has encountered a connection error and is not queryable',
      'Client was closed and is not queryable',
    ]) {
      expect([message, isDatabaseConnectionError(new Error(message))]).toEqual([message, true]);
    }
    const wrapped = new QueryFailedError('SELECT 1', [], Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(isDatabaseConnectionError(wrapped)).toBe(true);
  });

  it('is true for a transaction’s next statement after its connection was lost (TypeORM released the runner)', () => {
    expect(isDatabaseConnectionError(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
  });

  it('is false for a query the database refused on its merits, and for anything that is not an error', () => {
    const syntax = new QueryFailedError('SELEC 1', [], Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }));
    expect(isDatabaseConnectionError(syntax)).toBe(false);
    expect(isDatabaseConnectionError(new Error('duplicate key value violates unique constraint'))).toBe(false);
    expect(isDatabaseConnectionError({ code: 'ECONNRESET', message: 'read ECONNRESET' })).toBe(false);
    expect(isDatabaseConnectionError('ECONNRESET')).toBe(false);
    expect(isDatabaseConnectionError(undefined)).toBe(false);
  });
});

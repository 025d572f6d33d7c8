import { APIConnectionError, APIUserAbortError, InternalServerError } from 'openai';
import { runInNewContext } from 'node:vm';
import { UpstreamError } from '../domain/upstream-error';
import { toUpstreamError } from './openai.errors';

/** Errors Node's own fetch raises (a stream cut: `TypeError: terminated`; an abort: a DOMException) come from the
 * main realm, which a caller in another realm (a vm context, as under Jest) does not see as `Error`s. */
const fromAnotherRealm = (source: string): unknown => runInNewContext(source);

describe('toUpstreamError', () => {
  it('maps a stream cut mid-way to a retryable connection failure, whichever realm built the error', () => {
    for (const cut of [new TypeError('terminated'), fromAnotherRealm('new TypeError("terminated")')]) {
      const mapped = toUpstreamError('chat', cut);
      expect(mapped).toBeInstanceOf(UpstreamError);
      expect(mapped).toMatchObject({ retryable: true, timedOut: false, message: 'chat: terminated' });
    }
  });

  it('passes the caller’s abort through untouched, whichever realm built it', () => {
    const controller = new AbortController();
    controller.abort();
    const aborts = [
      new APIUserAbortError(),
      // Under Jest, AbortController is the main realm's: its DOMException is no `Error` here.
      controller.signal.reason,
      fromAnotherRealm('Object.assign(new Error("This operation was aborted"), { name: "AbortError" })'),
    ];
    for (const abort of aborts) expect(toUpstreamError('chat', abort)).toBe(abort);
  });

  it('maps HTTP errors by status and connection errors as retryable', () => {
    const server = new InternalServerError(500, { message: 'boom' }, 'boom', new Headers());
    expect(toUpstreamError('chat', server)).toMatchObject({ retryable: true, status: 500 });
    const refused = new APIConnectionError({ message: 'Connection error.' });
    expect(toUpstreamError('chat', refused)).toMatchObject({ retryable: true, timedOut: false });
  });

  it('leaves what is not an error as it is', () => {
    expect(toUpstreamError('chat', 'text')).toBe('text');
    const mapped = new UpstreamError('chat', 'chat: HTTP 400', { retryable: false, status: 400 });
    expect(toUpstreamError('chat', mapped)).toBe(mapped);
  });
});

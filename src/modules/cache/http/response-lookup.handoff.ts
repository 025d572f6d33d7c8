import type { ResponseLookup } from '../ports/layered-cache.port';

/**
 * The fast path's read of a request's cache key, left for the interceptor when the fast path did not answer
 * (a miss, a stale entry, a limited company): the regular path then does not build the key or read the store
 * a second time. Keyed by the request object, so it goes with the request.
 */
const lookups = new WeakMap<object, ResponseLookup>();

export function leaveResponseLookup(request: object, lookup: ResponseLookup): void {
  lookups.set(request, lookup);
}

export function takeResponseLookup(request: object): ResponseLookup | undefined {
  const lookup = lookups.get(request);
  lookups.delete(request);
  return lookup;
}

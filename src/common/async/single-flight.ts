import { createHash } from 'node:crypto';

/**
 * Concurrent identical requests share one upstream call: the first caller starts it, later callers get the
 * same promise until it settles. Nothing is kept afterwards (that is the cache's job).
 */
export class SingleFlight {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  get size(): number {
    return this.inFlight.size;
  }

  run<T>(key: string, call: () => Promise<T>): Promise<T> {
    const existing = this.inFlight.get(key);
    if (existing) return existing as Promise<T>;
    const promise = call().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}

/** Identity of a request: company, model, prompt version and the exact input. */
export function flightKey(parts: {
  companyId: string;
  model: string;
  promptVersion: string;
  input: unknown;
}): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

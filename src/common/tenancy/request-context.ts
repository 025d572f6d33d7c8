import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

interface RequestContextStore {
  companyId?: string;
}

const storage = new AsyncLocalStorage<RequestContextStore>();

/**
 * The authenticated company for code that has no request in hand (the database query timer). Never a
 * source of company_id for data access, which always takes it explicitly (STYLE.md habit 6).
 */
export const RequestContext = {
  /**
   * Opens an empty context per request in preHandler: after body parsing (which can lose async context)
   * and right before Fastify calls Nest's handler, so the guard, interceptors and handler all share it.
   */
  install(fastify: FastifyInstance): void {
    fastify.addHook('preHandler', (_request, _reply, done) => storage.run({}, done));
  },
  /** Called by the auth guard once the key is resolved. The store is mutated, not replaced: a store
   *  entered inside the guard would not reach the handler, which continues in the caller's context. */
  setCompany(companyId: string): void {
    const store = storage.getStore();
    if (store) store.companyId = companyId;
  },
  /** Runs `fn` with the company bound: jobs and tests. */
  runWithCompany<T>(companyId: string, fn: () => T): T {
    return storage.run({ companyId }, fn);
  },
  companyId(): string | undefined {
    return storage.getStore()?.companyId;
  },
};

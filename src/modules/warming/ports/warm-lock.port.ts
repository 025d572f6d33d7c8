/**
 * Port: a mutual-exclusion lease across instances (Redis SET NX PX with a random token in services mode,
 * process memory in embedded mode). The lease expires by itself if its holder dies.
 */
export abstract class WarmLock {
  /** A token when acquired, undefined when another holder has it (or the store is down: do not run twice). */
  abstract acquire(input: { name: string; ttlMs: number }): Promise<string | undefined>;
  /** Releases only if the token still holds the lease. */
  abstract release(input: { name: string; token: string }): Promise<void>;
}

import { randomUUID } from 'node:crypto';
import { WarmLock } from '../ports/warm-lock.port';

/** Embedded mode: one process, so a map of leases with expiry is the whole lock. */
export class MemoryWarmLock extends WarmLock {
  private readonly leases = new Map<string, { token: string; expiresAt: number }>();

  async acquire(input: { name: string; ttlMs: number }): Promise<string | undefined> {
    const now = Date.now();
    const lease = this.leases.get(input.name);
    if (lease && lease.expiresAt > now) return undefined;
    const token = randomUUID();
    this.leases.set(input.name, { token, expiresAt: now + input.ttlMs });
    return token;
  }

  async release(input: { name: string; token: string }): Promise<void> {
    if (this.leases.get(input.name)?.token === input.token) this.leases.delete(input.name);
  }
}

import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { WarmLock } from '../ports/warm-lock.port';

// Delete only our own lease: a lease that expired and was taken by another holder must survive our release.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** SET NX PX with a random token, under the deployment's key prefix (`lock:{name}`). */
export class RedisWarmLock extends WarmLock {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    super();
  }

  async acquire(input: { name: string; ttlMs: number }): Promise<string | undefined> {
    const token = randomUUID();
    const ok = await this.redis.set(this.key(input.name), token, 'PX', input.ttlMs, 'NX');
    return ok === 'OK' ? token : undefined;
  }

  async release(input: { name: string; token: string }): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(input.name), input.token);
  }

  private key(name: string): string {
    return `${this.keyPrefix}lock:${name}`;
  }
}

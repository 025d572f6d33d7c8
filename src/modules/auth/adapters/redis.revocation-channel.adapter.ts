import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { parseRevocation, Revocation, RevocationChannel } from '../ports/revocation-channel.port';

/**
 * Services mode: Redis pub/sub on `{REDIS_KEY_PREFIX}auth:revocations` (the cache Redis every API instance
 * shares). Publishing goes through the shared connection (bounded by its command timeout; it fails at once while
 * Redis is away, since that connection queues nothing); a dedicated connection subscribes, and ioredis subscribes
 * it again after every reconnect.
 */
export class RedisRevocationChannel extends RevocationChannel implements OnApplicationShutdown {
  private readonly logger = new Logger('RevocationChannel');
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly listeners: Array<(revocation: Revocation) => void> = [];
  private subscribed = false;

  constructor(
    private readonly client: Redis,
    keyPrefix: string,
  ) {
    super();
    this.channel = `${keyPrefix}auth:revocations`;
    this.subscriber = client.duplicate();
    this.subscriber.on('error', (error: Error) => this.logger.warn(`subscriber: ${error.message}`));
    this.subscriber.on('ready', () => {
      if (this.subscribed) return;
      this.subscriber
        .subscribe(this.channel)
        .then(() => (this.subscribed = true))
        .catch((error: Error) => this.logger.warn(`subscribe: ${error.message}`));
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const revocation = parseRevocation(message);
      if (revocation) for (const listener of this.listeners) listener(revocation);
    });
  }

  async publish(revocation: Revocation): Promise<void> {
    await this.client.publish(this.channel, JSON.stringify(revocation));
  }

  subscribe(listener: (revocation: Revocation) => void): void {
    this.listeners.push(listener);
  }

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }
}

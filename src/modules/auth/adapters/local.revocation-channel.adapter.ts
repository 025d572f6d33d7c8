import { Revocation, RevocationChannel } from '../ports/revocation-channel.port';

/** Embedded mode: one process, so the announcement reaches this process's listeners only. */
export class LocalRevocationChannel extends RevocationChannel {
  private readonly listeners: Array<(revocation: Revocation) => void> = [];

  publish(revocation: Revocation): Promise<void> {
    for (const listener of this.listeners) listener(revocation);
    return Promise.resolve();
  }

  subscribe(listener: (revocation: Revocation) => void): void {
    this.listeners.push(listener);
  }
}

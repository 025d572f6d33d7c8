import { MemoryCacheStore } from '../../src/modules/cache-store/adapters/memory.cache-store.adapter';

/**
 * A shared store as the layers over it see one: memory, with its generation announcements and subscription drops
 * fired by hand (the Redis store's pub/sub, without Redis).
 */
export class AnnouncingCacheStore extends MemoryCacheStore {
  private readonly changed: Array<(companyId: string) => void> = [];
  private readonly announcements: Array<(live: boolean) => void> = [];
  private live = true;
  override onGenerationsChanged(listener: (companyId: string) => void): void {
    this.changed.push(listener);
  }
  override announcementsLive(): boolean {
    return this.live;
  }
  override onAnnouncements(listener: (live: boolean) => void): void {
    this.announcements.push(listener);
  }
  announce(companyId: string): void {
    for (const listener of this.changed) listener(companyId);
  }
  /** The subscription drops (live: false) or comes back (true). */
  subscription(live: boolean): void {
    this.live = live;
    for (const listener of this.announcements) listener(live);
  }
}

import type Redis from 'ioredis';
import { openRedisCacheStore } from '../../support/cache';
import { describeSkippedWithout } from '../../support/services';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const url = process.env.REDIS_URL;
if (url) {
  describe('RedisCacheStore: whether announcements reach this instance', () => {
    it('tells announcement listeners when the subscriber drops and when it is back, and announcements flow again', async () => {
      const { store, dispose } = await openRedisCacheStore(url);
      try {
        const states: boolean[] = [];
        const changed: string[] = [];
        store.onAnnouncements((live) => states.push(live));
        store.onGenerationsChanged((companyId) => changed.push(companyId));
        const subscriber = (store as unknown as { subscriber: Redis }).subscriber;
        const wait = async (check: () => boolean) => {
          const deadline = Date.now() + 5_000;
          while (!check() && Date.now() < deadline) await sleep(20);
        };
        await wait(() => store.announcementsLive());
        expect(store.announcementsLive()).toBe(true);
        states.length = 0;
        // The connection drops (as when Redis restarts) and comes back.
        subscriber.disconnect(true);
        await wait(() => states.length >= 2);
        expect(states).toEqual([false, true]);
        expect(store.announcementsLive()).toBe(true);
        await sleep(100);
        await store.bumpGenerations('resync-co', ['vector']);
        await wait(() => changed.includes('resync-co'));
        expect(changed).toContain('resync-co');
      } finally {
        await dispose();
      }
    });
  });
} else {
  describeSkippedWithout('RedisCacheStore: whether announcements reach this instance', ['REDIS_URL']);
}

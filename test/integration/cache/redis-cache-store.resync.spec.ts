import type Redis from 'ioredis';
import { openRedisCacheStore } from '../../support/cache';
import { describeSkippedWithout } from '../../support/services';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const url = process.env.REDIS_URL;
if (url) {
  describe('RedisCacheStore: announcements missed while the subscriber was away', () => {
    it('tells resync listeners once the subscriber is back, and announcements flow again', async () => {
      const { store, dispose } = await openRedisCacheStore(url);
      try {
        const resyncs: number[] = [];
        const changed: string[] = [];
        store.onResync(() => resyncs.push(Date.now()));
        store.onGenerationsChanged((companyId) => changed.push(companyId));
        const subscriber = (store as unknown as { subscriber: Redis }).subscriber;
        const wait = async (check: () => boolean) => {
          const deadline = Date.now() + 5_000;
          while (!check() && Date.now() < deadline) await sleep(20);
        };
        await wait(() => subscriber.status === 'ready');
        await sleep(100); // the first subscription
        expect(resyncs).toHaveLength(0);
        // The connection drops (as when Redis restarts) and comes back.
        subscriber.disconnect(true);
        await wait(() => resyncs.length > 0);
        expect(resyncs).toHaveLength(1);
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
  describeSkippedWithout('RedisCacheStore: announcements missed while the subscriber was away', ['REDIS_URL']);
}

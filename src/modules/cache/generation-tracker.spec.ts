import { AnnouncingCacheStore } from '../../../test/fakes/announcing-cache-store.fake';
import { MemoryCacheStore } from '../cache-store/adapters/memory.cache-store.adapter';
import { GenerationTracker } from './generation-tracker';

describe('GenerationTracker: the local copy never outlives an announced change', () => {
  const open = () => {
    const store = new AnnouncingCacheStore({ maxEntries: 100 });
    const tracker = new GenerationTracker(store, { localMs: 600_000, guard: (_operation, fn) => fn() });
    return { store, tracker };
  };

  /** The store's next generation read is made now and answered only when `release` is called. */
  const holdNextRead = (store: AnnouncingCacheStore) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reads = jest.spyOn(store, 'readGenerations').mockImplementationOnce(async (companyId) => {
      const before = await MemoryCacheStore.prototype.readGenerations.call(store, companyId);
      await gate;
      return before;
    });
    return { reads, release };
  };

  it('a read in flight when a bump is announced is neither kept nor joined by later callers', async () => {
    const { store, tracker } = open();
    // Read before the bump, answered after it has been announced.
    const { reads, release } = holdNextRead(store);
    const early = tracker.current('c1');
    await store.bumpGenerations('c1', ['vector']);
    store.announce('c1');
    const late = tracker.current('c1');
    release();
    expect(await early).toEqual({});
    expect(await late).toEqual({ vector: 1 });
    expect(await tracker.current('c1')).toEqual({ vector: 1 });
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it("a read in flight when this tracker bumps is not kept over the bump's generations (no announcement needed)", async () => {
    const { store, tracker } = open();
    const { release } = holdNextRead(store);
    const early = tracker.current('c1');
    // The bump lands while the read is in flight; its announcement (pub/sub) has not arrived yet.
    expect(await tracker.bump('c1', ['vector'])).toEqual({ vector: 1 });
    release();
    expect(await early).toEqual({});
    expect(await tracker.current('c1')).toEqual({ vector: 1 });
  });

  it('reads every company again when the subscription comes back (announcements may have been missed)', async () => {
    const { store, tracker } = open();
    expect(await tracker.current('c1')).toEqual({});
    await store.bumpGenerations('c1', ['vector']); // announced to no one
    expect(await tracker.current('c1')).toEqual({});
    store.subscription(false);
    store.subscription(true);
    expect(await tracker.current('c1')).toEqual({ vector: 1 });
  });
});

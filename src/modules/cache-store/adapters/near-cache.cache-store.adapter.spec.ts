import { AnnouncingCacheStore } from '../../../../test/fakes/announcing-cache-store.fake';
import { MemoryCacheStore } from './memory.cache-store.adapter';
import { NearCacheStore } from './near-cache.cache-store.adapter';

describe('NearCacheStore', () => {
  let now: number;
  let shared: AnnouncingCacheStore;
  let near: NearCacheStore;
  const open = (maxEntries = 100) => {
    shared = new AnnouncingCacheStore({ maxEntries: 1_000 });
    near = new NearCacheStore(shared, { maxEntries, ttlMs: 1_000, now: () => now });
  };
  beforeEach(() => {
    now = 1_000_000;
    open();
  });

  it('answers a repeated read from memory, for text and values', async () => {
    await shared.setText('api:c1:init:h:0.0', 'body', 60_000);
    await shared.setValue('vector:c1:search:h:0.0', { ids: [1] }, 60_000);
    const getText = jest.spyOn(shared, 'getText');
    const getValue = jest.spyOn(shared, 'getValue');
    expect(await near.getText('api:c1:init:h:0.0')).toBe('body');
    expect(await near.getText('api:c1:init:h:0.0')).toBe('body');
    expect(await near.getValue('vector:c1:search:h:0.0')).toEqual({ ids: [1] });
    expect(await near.getValue('vector:c1:search:h:0.0')).toEqual({ ids: [1] });
    expect(getText).toHaveBeenCalledTimes(1);
    expect(getValue).toHaveBeenCalledTimes(1);
  });

  it('says what it holds without a read (held): an entry it keeps, nothing for sessions or while announcements are down', async () => {
    expect(near.held('api:c1:init:h:0.0')).toBeUndefined();
    await near.setText('api:c1:init:h:0.0', 'body', 60_000);
    await near.setValue('session:c1:session:s:0.0', { turns: 1 }, 60_000);
    expect(near.held('api:c1:init:h:0.0')).toEqual({ value: 'body' });
    expect(near.held('session:c1:session:s:0.0')).toBeUndefined();
    expect(shared.held('api:c1:init:h:0.0')).toBeUndefined();
    shared.subscription(false);
    expect(near.held('api:c1:init:h:0.0')).toBeUndefined();
  });

  it('keeps a write, and never holds sessions, preferences or the semantic index (rewritten in place)', async () => {
    await near.setText('llm:c1:summary:h:0.0', 'summary', 60_000);
    await near.setValue('session:c1:session:s:0.0', { turns: 1 }, 60_000);
    await near.setValue('prefs:c1:agent-preferences:a:0.0', { tone: 'short' }, 60_000);
    await near.setValue('llm:c1:semantic:idx:0.0', { entries: [] }, 60_000);
    expect(near.size).toBe(1);
    await shared.setValue('session:c1:session:s:0.0', { turns: 2 }, 60_000);
    expect(await near.getValue('session:c1:session:s:0.0')).toEqual({ turns: 2 });
  });

  it('drops a company’s entries when a bump of it is announced, and only that company’s', async () => {
    await near.setText('api:c1:init:h:0.0', 'one', 60_000);
    await near.setText('api:c2:init:h:0.0', 'two', 60_000);
    await shared.setText('api:c1:init:h:0.0', 'changed', 60_000);
    await shared.setText('api:c2:init:h:0.0', 'changed', 60_000);
    shared.announce('c1');
    expect(await near.getText('api:c1:init:h:0.0')).toBe('changed');
    expect(await near.getText('api:c2:init:h:0.0')).toBe('two');
  });

  it('drops a company’s entries when this instance bumps it', async () => {
    await near.setText('api:c1:init:h:0.0', 'one', 60_000);
    await shared.setText('api:c1:init:h:0.0', 'changed', 60_000);
    await near.bumpGenerations('c1', ['api']);
    expect(await near.getText('api:c1:init:h:0.0')).toBe('changed');
  });

  it('holds nothing while announcements cannot reach it, and starts afresh when they can again', async () => {
    await near.setText('api:c1:init:h:0.0', 'one', 60_000);
    shared.subscription(false);
    expect(near.size).toBe(0);
    await shared.setText('api:c1:init:h:0.0', 'changed', 60_000);
    const getText = jest.spyOn(shared, 'getText');
    expect(await near.getText('api:c1:init:h:0.0')).toBe('changed');
    await near.setText('api:c1:init:h:0.0', 'written', 60_000);
    expect(await near.getText('api:c1:init:h:0.0')).toBe('written');
    expect(getText).toHaveBeenCalledTimes(2);
    expect(near.size).toBe(0);
    shared.subscription(true);
    await near.getText('api:c1:init:h:0.0');
    await near.getText('api:c1:init:h:0.0');
    expect(getText).toHaveBeenCalledTimes(3);
  });

  it('does not keep a read that was in flight when a bump was announced', async () => {
    await shared.setText('api:c1:init:h:0.0', 'old', 60_000);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = jest.spyOn(shared, 'getText').mockImplementationOnce(async (key) => {
      const before = await MemoryCacheStore.prototype.getText.call(shared, key);
      await gate;
      return before;
    });
    const inFlight = near.getText('api:c1:init:h:0.0');
    shared.announce('c1');
    release();
    expect(await inFlight).toBe('old');
    read.mockRestore();
    expect(near.size).toBe(0);
  });

  it('does not keep a read that was in flight when the key was written (the write is what it holds)', async () => {
    await shared.setText('api:c1:init:h:0.0', 'old', 60_000);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jest.spyOn(shared, 'getText').mockImplementationOnce(async (key) => {
      const before = await MemoryCacheStore.prototype.getText.call(shared, key);
      await gate;
      return before;
    });
    const inFlight = near.getText('api:c1:init:h:0.0');
    await near.setText('api:c1:init:h:0.0', 'new', 60_000);
    release();
    expect(await inFlight).toBe('old');
    expect(near.held('api:c1:init:h:0.0')).toEqual({ value: 'new' });
  });

  it('keeps an entry no longer than its TTL (and the store’s own TTL when shorter)', async () => {
    await near.setText('api:c1:init:long:0.0', 'long', 60_000);
    await near.setText('api:c1:init:short:0.0', 'short', 100);
    const getText = jest.spyOn(shared, 'getText');
    now += 200;
    await near.getText('api:c1:init:long:0.0');
    expect(getText).toHaveBeenCalledTimes(0);
    await near.getText('api:c1:init:short:0.0');
    expect(getText).toHaveBeenCalledTimes(1);
    now += 1_000;
    await near.getText('api:c1:init:long:0.0');
    expect(getText).toHaveBeenCalledTimes(2);
  });

  it('is bounded: the least recently used entry goes first', async () => {
    open(2);
    await near.setText('api:c1:init:a:0.0', 'a', 60_000);
    await near.setText('api:c1:init:b:0.0', 'b', 60_000);
    await near.getText('api:c1:init:a:0.0');
    await near.setText('api:c1:init:c:0.0', 'c', 60_000);
    expect(near.size).toBe(2);
    const getText = jest.spyOn(shared, 'getText');
    await near.getText('api:c1:init:a:0.0');
    await near.getText('api:c1:init:c:0.0');
    expect(getText).not.toHaveBeenCalled();
    await near.getText('api:c1:init:b:0.0');
    expect(getText).toHaveBeenCalledTimes(1);
  });

  it('forgets deleted and unlinked keys', async () => {
    await near.setValue('vector:c1:search:a:0.0', 1, 60_000);
    await near.setValue('vector:c1:search:b:0.0', 2, 60_000);
    await near.deleteValue('vector:c1:search:a:0.0');
    await near.unlink(['vector:c1:search:b:0.0']);
    expect(await near.getValue('vector:c1:search:a:0.0')).toBeUndefined();
    expect(await near.getValue('vector:c1:search:b:0.0')).toBeUndefined();
  });
});

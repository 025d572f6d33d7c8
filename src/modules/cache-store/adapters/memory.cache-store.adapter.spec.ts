import { MemoryCacheStore } from './memory.cache-store.adapter';

async function collect(iterable: AsyncIterable<string[]>): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of iterable) keys.push(...batch);
  return keys;
}

describe('MemoryCacheStore (embedded cache: cache-manager over an LRU memory Keyv)', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps at most maxEntries, evicting the least recently used (a read refreshes an entry)', async () => {
    const store = new MemoryCacheStore({ maxEntries: 2 });
    await store.setValue('llm:acme:a', 'A', 60_000);
    await store.setValue('llm:acme:b', 'B', 60_000);
    expect(await store.getValue('llm:acme:a')).toBe('A');
    await store.setValue('llm:acme:c', 'C', 60_000);

    expect(await store.getValue('llm:acme:a')).toBe('A');
    expect(await store.getValue('llm:acme:b')).toBeUndefined();
    expect(await store.getValue('llm:acme:c')).toBe('C');
    expect((await collect(store.scan('llm:', 10))).sort()).toEqual(['llm:acme:a', 'llm:acme:c']);
  });

  it('expires an entry after its TTL', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const store = new MemoryCacheStore({ maxEntries: 10 });
    await store.setText('api:acme:x', '{"ok":true}', 1_000);
    await store.setValue('api:acme:y', { n: 1 }, 5_000);
    jest.setSystemTime(new Date('2026-01-01T00:00:01.500Z'));
    expect(await store.getText('api:acme:x')).toBeUndefined();
    expect(await store.getValue('api:acme:y')).toEqual({ n: 1 });
  });

  it('scans by prefix in batches, unlinks what exists and reports approximate memory', async () => {
    const store = new MemoryCacheStore({ maxEntries: 100 });
    for (const id of ['1', '2', '3']) await store.setText(`vector:acme:${id}`, 'x'.repeat(100), 60_000);
    await store.setText('vector:globex:1', 'y', 60_000);

    const batches: string[][] = [];
    for await (const batch of store.scan('vector:acme:', 2)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    expect(await store.unlink(['vector:acme:1', 'vector:acme:2', 'vector:acme:missing'])).toBe(2);
    expect(await collect(store.scan('vector:', 10))).toEqual(expect.arrayContaining(['vector:acme:3', 'vector:globex:1']));
    expect((await store.info()).usedMemoryBytes).toBeGreaterThanOrEqual(2 * 100);

    await store.close();
    expect(await collect(store.scan('', 10))).toEqual([]);
  });
});

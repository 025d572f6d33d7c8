import { randomBytes } from 'node:crypto';
import { CacheStore } from '../../src/modules/cache-store/ports/cache-store.port';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same cases against every CacheStore adapter: what the layered cache relies on. */
export function runCacheStoreContract(
  name: string,
  open: () => Promise<{ store: CacheStore; dispose(): Promise<void> }>,
): void {
  describe(`CacheStore contract: ${name}`, () => {
    let store: CacheStore;
    let dispose: () => Promise<void>;
    // Each case writes under its own company, so cases never see each other's keys.
    const company = () => `c-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      ({ store, dispose } = await open());
    });
    afterAll(() => dispose());

    it('answers a ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('says announcements of bumps reach it once it is open', async () => {
      const deadline = Date.now() + 5_000;
      while (!store.announcementsLive() && Date.now() < deadline) await sleep(20);
      expect(store.announcementsLive()).toBe(true);
    });

    it('stores values and text, reads them back, deletes, and misses what it never stored', async () => {
      const c = company();
      await store.setValue(`vector:${c}:search:a`, { n: 1, list: ['x'] }, 60_000);
      await store.setText(`api:${c}:init:b`, '{"exp":1}\n{"body":true}', 60_000);
      expect(await store.getValue(`vector:${c}:search:a`)).toEqual({ n: 1, list: ['x'] });
      expect(await store.getText(`api:${c}:init:b`)).toBe('{"exp":1}\n{"body":true}');
      expect(await store.getValue(`vector:${c}:search:none`)).toBeUndefined();
      expect(await store.getText(`api:${c}:init:none`)).toBeUndefined();
      await store.deleteValue(`vector:${c}:search:a`);
      expect(await store.getValue(`vector:${c}:search:a`)).toBeUndefined();
    });

    it('expires entries after their TTL', async () => {
      const c = company();
      await store.setValue(`vector:${c}:search:a`, 'v', 50);
      await store.setText(`api:${c}:init:a`, 't', 50);
      await sleep(150);
      expect(await store.getValue(`vector:${c}:search:a`)).toBeUndefined();
      expect(await store.getText(`api:${c}:init:a`)).toBeUndefined();
    });

    it('bumps generation fields per company, returns them all, and tells listeners which company changed', async () => {
      const [a, b] = [company(), company()];
      const changed: string[] = [];
      store.onGenerationsChanged((companyId) => changed.push(companyId));
      expect(await store.readGenerations(a)).toEqual({});
      // A field's first bump may start anywhere above 0 (Redis: a random base, see its adapter); then +1.
      const first = await store.bumpGenerations(a, ['vector', 'llm/semantic']);
      expect(Object.keys(first).sort()).toEqual(['llm/semantic', 'vector']);
      for (const value of Object.values(first)) {
        expect(Number.isSafeInteger(value)).toBe(true);
        expect(value).toBeGreaterThan(0);
      }
      const second = { vector: first.vector + 1, 'llm/semantic': first['llm/semantic'] };
      expect(await store.bumpGenerations(a, ['vector'])).toEqual(second);
      expect(await store.readGenerations(a)).toEqual(second);
      expect(await store.readGenerations(b)).toEqual({});
      const deadline = Date.now() + 2_000;
      while (changed.filter((id) => id === a).length < 2 && Date.now() < deadline) await sleep(20);
      expect(changed.filter((id) => id === a)).toHaveLength(2);
      expect(changed).not.toContain(b);
    });

    it('scans keys by prefix (one company only) and unlinks them, counting what existed', async () => {
      const [a, b] = [company(), company()];
      for (let i = 0; i < 25; i += 1) await store.setValue(`vector:${a}:search:${i}`, i, 60_000);
      await store.setValue(`vector:${b}:search:0`, 0, 60_000);
      const found: string[] = [];
      for await (const batch of store.scan(`vector:${a}:`, 10)) found.push(...batch);
      expect(new Set(found)).toEqual(
        new Set(Array.from({ length: 25 }, (_, i) => `vector:${a}:search:${i}`)),
      );
      expect(await store.unlink([...found, `vector:${a}:search:never`])).toBe(25);
      expect(await store.getValue(`vector:${a}:search:3`)).toBeUndefined();
      expect(await store.getValue(`vector:${b}:search:0`)).toBe(0);
      expect(await store.unlink([])).toBe(0);
    });

    it('adds integer and fractional counters and reads a hash back', async () => {
      const hash = `stats:${company()}`;
      await store.addCounters({ [hash]: { hits: 2, saved_usd: 0.25, zero: 0 } });
      await store.addCounters({ [hash]: { hits: 3, saved_usd: 0.5 } });
      const counters = await store.readCounters(hash);
      expect(counters.hits).toBe(5);
      expect(counters.saved_usd).toBeCloseTo(0.75, 10);
      // A zero increment may be skipped or stored as 0: readers count an absent field as 0.
      expect(counters.zero ?? 0).toBe(0);
      expect(await store.readCounters(`stats:${company()}`)).toEqual({});
    });

    it('forgets a company: its generations and a counter hash, counting what existed, the other company kept', async () => {
      const [gone, kept] = [company(), company()];
      await store.bumpGenerations(gone, ['llm']);
      const keptGenerations = await store.bumpGenerations(kept, ['llm']);
      await store.addCounters({ [`stats:${gone}`]: { hits: 1 }, [`stats:${kept}`]: { hits: 1 } });
      await expect(store.deleteGenerations(gone)).resolves.toBe(1);
      await expect(store.deleteCounters(`stats:${gone}`)).resolves.toBe(1);
      expect(await store.readGenerations(gone)).toEqual({});
      expect(await store.readCounters(`stats:${gone}`)).toEqual({});
      expect(await store.readGenerations(kept)).toEqual(keptGenerations);
      expect(await store.readCounters(`stats:${kept}`)).toEqual({ hits: 1 });
      await expect(store.deleteGenerations(gone)).resolves.toBe(0);
      await expect(store.deleteCounters(`stats:${gone}`)).resolves.toBe(0);
    });

    it('reports what it is', async () => {
      const info = await store.info();
      expect(info.store).toBe(store.kind);
      expect(info.usedMemoryBytes).toBeGreaterThanOrEqual(0);
    });
  });
}

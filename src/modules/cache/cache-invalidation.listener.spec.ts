import { DataChangeEvents } from '../events/data-change.events';
import { TicketIndexedEvents } from '../events/ticket-indexed.events';
import { CacheInvalidationListener } from './cache-invalidation.listener';
import { CacheInvalidator } from './ports/cache-invalidator.port';
import type { CacheKey, CacheKind, CacheLayer } from './ports/layered-cache.port';

type Bump = {
  companyId: string;
  layers?: CacheLayer[];
  kinds?: Array<{ layer: CacheLayer; kind: CacheKind }>;
};

/** Records the bumps it is asked for. */
class RecordingInvalidator extends CacheInvalidator {
  readonly bumps: Bump[] = [];
  async versionedKey(key: CacheKey): Promise<string> {
    return `${key.toString()}:0.0`;
  }
  async invalidate(): Promise<Partial<Record<CacheLayer, number>>> {
    return {};
  }
  async bumpGenerations(input: Bump): Promise<void> {
    this.bumps.push(input);
  }
  pendingInvalidations(): Map<string, number> {
    return new Map();
  }
}

describe('CacheInvalidationListener', () => {
  const setup = () => {
    const changes = new DataChangeEvents();
    const invalidator = new RecordingInvalidator();
    new CacheInvalidationListener(changes, new TicketIndexedEvents(), invalidator).onModuleInit();
    return { changes, invalidator };
  };
  const retiresCopies = (bump: Bump | undefined) =>
    (bump?.kinds ?? []).some((k) => k.layer === 'session' && k.kind === 'ticket');

  it("retires the company's ticket copies only for a deletion whose copies the cache could not confirm removed", async () => {
    const { changes, invalidator } = setup();
    await changes.publish({
      companyId: 'acme',
      type: 'ticket',
      change: 'deleted',
      ids: ['T-1'],
      copiesRemoved: true,
    });
    expect(invalidator.bumps.at(-1)?.layers).toEqual(['vector', 'api']);
    expect(retiresCopies(invalidator.bumps.at(-1))).toBe(false);
    await changes.publish({
      companyId: 'acme',
      type: 'ticket',
      change: 'deleted',
      ids: ['T-2'],
      copiesRemoved: false,
    });
    expect(retiresCopies(invalidator.bumps.at(-1))).toBe(true);
    // Not said: not confirmed.
    await changes.publish({ companyId: 'acme', type: 'ticket', change: 'deleted', ids: ['T-3'] });
    expect(retiresCopies(invalidator.bumps.at(-1))).toBe(true);
    await changes.publish({ companyId: 'acme', type: 'ticket', change: 'upserted', ids: ['T-4'] });
    expect(invalidator.bumps.at(-1)?.layers).toEqual(['vector']);
    expect(retiresCopies(invalidator.bumps.at(-1))).toBe(false);
  });
});

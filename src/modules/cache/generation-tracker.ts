import { SingleFlight } from '../../common/async/single-flight';
import {
  CacheStore,
  Generations,
  kindGenerationField,
  layerGenerationField,
} from '../cache-store/ports/cache-store.port';
import type { CacheLayer } from './ports/layered-cache.port';

/** A layer and kind of a company whose invalidation has not reached the store yet: its entries are not used. */
export class InvalidationPendingError extends Error {
  constructor(companyId: string, layer: CacheLayer) {
    super(`an invalidation of ${companyId}'s ${layer} cache has not reached the store yet`);
    this.name = 'InvalidationPendingError';
  }
}

/**
 * Generation counters per company: one per layer and one per layer and kind. They are part of every stored
 * key, so bumping one invalidates in O(1) (old entries are no longer addressed and age out or get swept).
 * Read through a small per-process copy that lives `localMs` at most and is dropped at once when any
 * instance announces a bump (pub/sub), so a bump reaches every API instance well within a second.
 *
 * A bump the store did not take (timeout, breaker open, Redis down) is owed, not dropped: until it lands,
 * this process does not use the company's entries of the bumped layers and kinds (they may predate the
 * change; lookups fail open to the source), and it retries the bump every `retryMs` and on each such lookup.
 * A bump that timed out may have landed after all; sending it again only invalidates once more.
 */
export class GenerationTracker {
  private readonly local = new Map<string, { generations: Generations; readAt: number }>();
  private readonly reads = new SingleFlight();
  /** Per company: the generation fields whose bump has not landed, and since when any has been owed. */
  private readonly owed = new Map<string, { fields: Set<string>; since: number }>();
  private readonly paying = new Set<string>();
  /** Counts announced changes: a read that was in flight across one neither keeps nor shares its result. */
  private changes = 0;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: CacheStore,
    private readonly options: {
      localMs: number;
      /** Bounds store calls (timeout + breaker); throws when the store is unavailable. */
      guard: <T>(operation: string, fn: () => Promise<T>) => Promise<T>;
      /** How often owed bumps are retried while any is owed. */
      retryMs?: number;
      /** Told when a bump becomes owed, and when a company's owed bumps have all landed. */
      onOwed?: (companyId: string, error: unknown) => void;
      onSettled?: (companyId: string, owedForMs: number) => void;
      now?: () => number;
    },
  ) {
    store.onGenerationsChanged((companyId) => {
      this.changes += 1;
      this.local.delete(companyId);
    });
    // Announcements may have been missed (a drop) or start again (a return): every company's generations are
    // read again.
    store.onAnnouncements(() => {
      this.changes += 1;
      this.local.clear();
    });
  }

  /** The stored-key suffix of a layer and kind, e.g. `3.1`; throws when the store cannot say. */
  async suffix(companyId: string, layer: CacheLayer, kind: string): Promise<string> {
    const owed = this.owed.get(companyId)?.fields;
    if (owed && (owed.has(layerGenerationField(layer)) || owed.has(kindGenerationField(layer, kind)))) {
      this.pay(companyId);
      throw new InvalidationPendingError(companyId, layer);
    }
    const generations = await this.current(companyId);
    return generationSuffix(generations, layer, kind);
  }

  async current(companyId: string): Promise<Generations> {
    const now = this.now();
    const cached = this.local.get(companyId);
    if (cached && now - cached.readAt < this.options.localMs) return cached.generations;
    const marked = this.changes;
    // Keyed by the change count too: a caller that arrives after an announcement never joins an older read.
    return this.reads.run(`${companyId}\n${marked}`, async () => {
      const generations = await this.options.guard('generations', () =>
        this.store.readGenerations(companyId),
      );
      if (marked === this.changes) this.local.set(companyId, { generations, readAt: this.now() });
      return generations;
    });
  }

  /** Bumps the fields (with any the company still owes); on failure they are owed and the error is thrown. */
  async bump(companyId: string, fields: string[]): Promise<Generations> {
    const owed = this.owed.get(companyId)?.fields;
    const all = owed ? [...new Set([...owed, ...fields])] : fields;
    try {
      const generations = await this.options.guard('bump', () => this.store.bumpGenerations(companyId, all));
      // A change like an announced one: a read in flight (sent before the bump landed) must not overwrite this.
      this.changes += 1;
      this.local.set(companyId, { generations, readAt: this.now() });
      this.settle(companyId, all);
      return generations;
    } catch (error) {
      this.owe(companyId, fields, error);
      throw error;
    }
  }

  /** Companies with bumps still owed, and how many fields each. */
  pending(): Map<string, number> {
    return new Map([...this.owed].map(([companyId, { fields }]) => [companyId, fields.size]));
  }

  /** Stops the retry timer (owed bumps are then lost with the process: entries age out by their TTL). */
  close(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
  }

  private owe(companyId: string, fields: string[], error: unknown): void {
    if (fields.length === 0) return;
    let owed = this.owed.get(companyId);
    if (!owed) {
      owed = { fields: new Set(), since: this.now() };
      this.owed.set(companyId, owed);
      this.options.onOwed?.(companyId, error);
    }
    for (const field of fields) owed.fields.add(field);
    if (!this.retryTimer) {
      this.retryTimer = setInterval(() => {
        for (const company of this.owed.keys()) this.pay(company);
      }, this.options.retryMs ?? 1_000);
      this.retryTimer.unref();
    }
  }

  private settle(companyId: string, paid: string[]): void {
    const owed = this.owed.get(companyId);
    if (!owed) return;
    for (const field of paid) owed.fields.delete(field);
    if (owed.fields.size > 0) return;
    this.owed.delete(companyId);
    this.options.onSettled?.(companyId, this.now() - owed.since);
    if (this.owed.size === 0) this.close();
  }

  /** One retry of a company's owed bumps at a time; its failure keeps them owed. */
  private pay(companyId: string): void {
    if (this.paying.has(companyId) || !this.owed.has(companyId)) return;
    this.paying.add(companyId);
    void this.bump(companyId, [])
      .catch(() => undefined)
      .finally(() => this.paying.delete(companyId));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

export function generationSuffix(generations: Generations, layer: CacheLayer, kind: string): string {
  return `${generations[layerGenerationField(layer)] ?? 0}.${generations[kindGenerationField(layer, kind)] ?? 0}`;
}

/** A stored key of the layer whose generation suffix is not the current one of its kind. */
export function isOlderGeneration(
  storedKey: string,
  prefix: string,
  layer: CacheLayer,
  generations: Generations,
): boolean {
  if (!storedKey.startsWith(prefix)) return false;
  const parts = storedKey.slice(prefix.length).split(':');
  if (parts.length !== 3) return false;
  const [kind, , suffix] = parts;
  return suffix !== generationSuffix(generations, layer, kind);
}

import { SingleFlight } from '../llm/resilience/single-flight';
import { CacheStore, Generations, kindGenerationField, layerGenerationField } from './ports/cache-store.port';
import type { CacheLayer } from './ports/layered-cache.port';

/**
 * Generation counters per company: one per layer and one per layer and kind. They are part of every stored
 * key, so bumping one invalidates in O(1) (old entries are no longer addressed and age out or get swept).
 * Read through a small per-process copy that lives `localMs` at most and is dropped at once when any
 * instance announces a bump (pub/sub), so a bump reaches every API instance well within a second.
 */
export class GenerationTracker {
  private readonly local = new Map<string, { generations: Generations; readAt: number }>();
  private readonly reads = new SingleFlight();

  constructor(
    private readonly store: CacheStore,
    private readonly options: {
      localMs: number;
      /** Bounds store calls (timeout + breaker); throws when the store is unavailable. */
      guard: <T>(operation: string, fn: () => Promise<T>) => Promise<T>;
      now?: () => number;
    },
  ) {
    store.onGenerationsChanged((companyId) => this.local.delete(companyId));
  }

  /** The stored-key suffix of a layer and kind, e.g. `3.1`; throws when the store cannot say. */
  async suffix(companyId: string, layer: CacheLayer, kind: string): Promise<string> {
    const generations = await this.current(companyId);
    return generationSuffix(generations, layer, kind);
  }

  async current(companyId: string): Promise<Generations> {
    const now = this.now();
    const cached = this.local.get(companyId);
    if (cached && now - cached.readAt < this.options.localMs) return cached.generations;
    return this.reads.run(companyId, async () => {
      const generations = await this.options.guard('generations', () =>
        this.store.readGenerations(companyId),
      );
      this.local.set(companyId, { generations, readAt: this.now() });
      return generations;
    });
  }

  async bump(companyId: string, fields: string[]): Promise<Generations> {
    const generations = await this.options.guard('bump', () => this.store.bumpGenerations(companyId, fields));
    this.local.set(companyId, { generations, readAt: this.now() });
    return generations;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

export function generationSuffix(generations: Generations, layer: CacheLayer, kind: string): string {
  return `${generations[layerGenerationField(layer)] ?? 0}.${generations[kindGenerationField(layer, kind)] ?? 0}`;
}

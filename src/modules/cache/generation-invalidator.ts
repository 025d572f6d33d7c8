import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CacheGuard } from '../../common/async/cache-guard';
import { withinDeadline } from '../../common/async/deadline';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/config';
import { CacheRecorder } from './cache-recorder';
import { cacheLayerPrefix } from './domain/cache-keys';
import { GenerationTracker, isOlderGeneration } from './generation-tracker';
import { CacheInvalidator } from './ports/cache-invalidator.port';
import {
  CacheStore,
  Generations,
  kindGenerationField,
  layerGenerationField,
} from '../cache-store/ports/cache-store.port';
import { CACHE_LAYERS, CacheKey, CacheKind, CacheLayer } from './ports/layered-cache.port';

type Counts = Partial<Record<CacheLayer, number>>;

/** CacheInvalidator over the store's generation counters (GenerationTracker: local copy, owed bumps). */
@Injectable()
export class GenerationInvalidator extends CacheInvalidator implements OnModuleDestroy {
  private readonly logger = new Logger('LayeredCache');
  private readonly generations: GenerationTracker;
  private readonly sweeps = new Set<Promise<unknown>>();

  constructor(
    private readonly store: CacheStore,
    guard: CacheGuard,
    private readonly recorder: CacheRecorder,
    private readonly config: AppConfig,
  ) {
    super();
    this.generations = new GenerationTracker(store, {
      localMs: config.cache.generationLocalMs,
      // A bump is a write that must land (it is what invalidates): the state timeout, not the lookup one.
      guard: (operation, fn) =>
        guard.run(operation, fn, operation === 'bump' ? config.cache.stateTimeoutMs : undefined),
      onOwed: (companyId, error) =>
        this.logger.warn(
          `invalidation of ${companyId} did not reach the cache store (${String(error)}): its affected entries are not used until it does; retrying`,
        ),
      onSettled: (companyId, owedForMs) =>
        this.logger.log(`owed invalidation of ${companyId} reached the cache store after ${owedForMs} ms`),
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.generations.close();
    await Promise.allSettled([...this.sweeps]);
  }

  pendingInvalidations(): Map<string, number> {
    return this.generations.pending();
  }

  async versionedKey(key: CacheKey): Promise<string> {
    return `${key.toString()}:${await this.generations.suffix(key.companyId, key.layer, key.kind)}`;
  }

  async invalidate(companyId: string, layers?: CacheLayer[]): Promise<Counts> {
    const targets = layers && layers.length > 0 ? [...new Set(layers)] : [...CACHE_LAYERS];
    // Owed and retried when the store does not take it (GenerationTracker); the caller learns it has not happened yet.
    const generations = await this.bump(companyId, targets.map(layerGenerationField), targets).catch(
      (error) => {
        throw AppError.unavailable('cache store', error);
      },
    );
    const swept = await withinDeadline(
      this.sweep(companyId, targets, generations),
      this.config.cache.sweepWaitMs,
    );
    return swept.ok ? swept.value : Object.fromEntries(targets.map((layer) => [layer, 0]));
  }

  async bumpGenerations(input: {
    companyId: string;
    layers?: CacheLayer[];
    kinds?: Array<{ layer: CacheLayer; kind: CacheKind }>;
  }): Promise<void> {
    const { companyId, layers = [], kinds = [] } = input;
    const fields = [
      ...layers.map(layerGenerationField),
      ...kinds.map(({ layer, kind }) => kindGenerationField(layer, kind)),
    ];
    if (fields.length === 0) return;
    const touched = [...new Set([...layers, ...kinds.map((k) => k.layer)])];
    // A bump the store does not take is owed, reported and retried by the tracker; until it lands this
    // process does not use those entries.
    const generations = await this.bump(companyId, fields, touched).catch(() => undefined);
    if (generations) void this.sweep(companyId, touched, generations);
  }

  private async bump(companyId: string, fields: string[], layers: CacheLayer[]): Promise<Generations> {
    try {
      const generations = await this.generations.bump(companyId, fields);
      this.recorder.invalidations(layers, 'ok');
      return generations;
    } catch (error) {
      this.recorder.invalidations(layers, 'error');
      throw error;
    }
  }

  /** Removes a company's entries of older generations (SCAN + UNLINK, never KEYS); counts per layer. */
  private sweep(companyId: string, layers: CacheLayer[], generations: Generations): Promise<Counts> {
    const run = (async () => {
      const counts: Counts = {};
      for (const layer of layers) {
        let removed = 0;
        const prefix = cacheLayerPrefix(layer, companyId);
        for await (const batch of this.store.scan(prefix, this.config.cache.sweepBatch)) {
          const old = batch.filter((storedKey) => isOlderGeneration(storedKey, prefix, layer, generations));
          if (old.length > 0) removed += await this.store.unlink(old);
        }
        counts[layer] = removed;
      }
      return counts;
    })();
    const tracked = run.catch((error: unknown): Counts => {
      this.recorder.warn(`cache sweep of ${companyId} failed: ${String(error)}`);
      return Object.fromEntries(layers.map((layer) => [layer, 0]));
    });
    this.sweeps.add(tracked);
    void tracked.finally(() => this.sweeps.delete(tracked));
    return tracked;
  }
}

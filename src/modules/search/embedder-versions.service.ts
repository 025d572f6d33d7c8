import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { DependencyHealth } from '../health/dependency.health';
import { LlmService } from '../llm/llm.service';
import { SEARCH_DATA_TYPES, SearchDataType } from './domain/search-document';
import { ActiveCollection, EmbedderVersion, VectorIndex } from './ports/vector-index.port';

/** current: vectors match the embedder; reindex_needed: they come from another; unknown: store not reachable yet. */
export type VectorsState = 'current' | 'reindex_needed' | 'reindexing' | 'unknown';

/** While a mismatch is known, the store is asked again this often, so an instance sees another's switch. */
const RECHECK_MS = 5_000;

export interface VectorsStatus {
  state: VectorsState;
  embedder: EmbedderVersion;
  /** The embedder each type's active collection records, where it differs from the configured one. */
  mismatched: Partial<Record<SearchDataType, ActiveCollection['embedder']>>;
}

/**
 * Whether each type's vectors come from the configured embedder. A collection records the embedder it was
 * built with (model and size); one from another embedder cannot be searched with this one's vectors, so its
 * type is answered from keywords and its vectors are not written until a re-index switches collections.
 * Checked at start, and again while a mismatch lasts.
 */
@Injectable()
export class EmbedderVersions implements OnApplicationBootstrap {
  private readonly logger = new Logger('EmbedderVersions');
  private readonly mismatched = new Map<SearchDataType, ActiveCollection['embedder']>();
  private checked = false;
  private checkedAt = 0;
  private checking: Promise<void> | undefined;
  private rebuilding = 0;

  constructor(
    private readonly vectors: VectorIndex,
    private readonly llm: LlmService,
    private readonly config: AppConfig,
    @Optional() private readonly health?: DependencyHealth,
  ) {}

  get embedder(): EmbedderVersion {
    const { model, dimension } = this.llm.embeddingModel;
    return { model, dimension };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.search.vectorStore === 'qdrant') {
      // Not required: searches fall back to keywords and indexing retries; reported so operators see it.
      this.health?.register(
        'qdrant',
        async () => {
          await this.vectors.activeCollection('ticket');
          return { up: true };
        },
        { required: false },
      );
    }
    this.health?.register(
      'vectors',
      async () => {
        await this.refreshIfStale();
        const status = this.status();
        return {
          up: status.state === 'current' || status.state === 'unknown',
          state: status.state === 'reindex_needed' ? 'reindex_needed' : status.state,
          detail: {
            embedder: status.embedder,
            ...(status.state === 'reindex_needed'
              ? { message: 're-index needed: POST /api/v1/admin/reindex', recorded: status.mismatched }
              : {}),
          },
        };
      },
      { required: false },
    );
    await this.refresh().catch((error: unknown) =>
      this.logger.warn(`vector collections not checked at start: ${String(error)}`),
    );
  }

  /** Reads each type's active collection from the store now. */
  async refresh(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const current = this.embedder;
        for (const type of SEARCH_DATA_TYPES) {
          const active = await this.vectors.activeCollection(type);
          if (active && !sameEmbedder(active.embedder, current)) {
            if (!this.mismatched.has(type)) {
              this.logger.warn(
                `${type} vectors come from ${describe(active.embedder)}, not ${describe(current)}: re-index needed (POST /api/v1/admin/reindex); searching by keywords until then`,
              );
            }
            this.mismatched.set(type, active.embedder);
          } else {
            this.mismatched.delete(type);
          }
        }
        this.checked = true;
        this.checkedAt = Date.now();
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** False while the type's active collection holds another embedder's vectors. */
  async isCurrent(type: SearchDataType): Promise<boolean> {
    await this.refreshIfStale().catch(() => undefined);
    return !this.mismatched.has(type);
  }

  /** The store answered something that contradicts what is known: ask again on the next call. */
  markStale(): void {
    this.checkedAt = 0;
    this.checked = false;
  }

  /** Set by a re-index running in this process, for readiness and the admin route. */
  markRebuilding(running: boolean): void {
    this.rebuilding += running ? 1 : -1;
  }

  status(): VectorsStatus {
    const state: VectorsState =
      this.rebuilding > 0
        ? 'reindexing'
        : this.mismatched.size > 0
          ? 'reindex_needed'
          : this.checked
            ? 'current'
            : 'unknown';
    return { state, embedder: this.embedder, mismatched: Object.fromEntries(this.mismatched) };
  }

  private async refreshIfStale(): Promise<void> {
    const stale = !this.checked || (this.mismatched.size > 0 && Date.now() - this.checkedAt > RECHECK_MS);
    if (stale) await this.refresh();
  }
}

/** A collection created before embedders were recorded carries only its size: that is all it can be checked by. */
export function sameEmbedder(recorded: ActiveCollection['embedder'], current: EmbedderVersion): boolean {
  return (
    recorded.dimension === current.dimension &&
    (recorded.model === undefined || recorded.model === current.model)
  );
}

function describe(embedder: { model?: string; dimension: number }): string {
  return `${embedder.model ?? 'an unrecorded model'} (${embedder.dimension} dimensions)`;
}

import type { CacheLayer } from '../../../common/cache/cache-layers';

/** Counter increments per hash: `{ hash: { field: n } }`. */
export type CounterIncrements = Record<string, Record<string, number>>;

/** Generation counters of a company: one per layer (`llm`) and per layer and kind (`llm/answer`). */
export type Generations = Record<string, number>;

export interface StoreInfo {
  store: 'redis' | 'memory';
  usedMemoryBytes: number;
  connectedClients: number;
}

/**
 * The storage under the layered cache. Keys given here are logical (`{layer}:{company_id}:...`); adapters
 * prepend the deployment's key prefix. Values go through cache-manager 7 + Keyv; generations, counters,
 * sweeps and pub/sub through the store's native commands. Calls may throw or hang: the layered cache
 * bounds and guards every call on the request path.
 */
export abstract class CacheStore {
  abstract readonly kind: 'redis' | 'memory';
  abstract getValue<T>(key: string): Promise<T | undefined>;
  /**
   * What this process holds of a key in memory, read without I/O (the near cache in front of Redis), or
   * undefined when it holds nothing: then the caller reads the store. A store with no such copy holds nothing.
   */
  held(key: string): { value: unknown } | undefined {
    void key;
    return undefined;
  }
  abstract setValue<T>(key: string, value: T, ttlMs: number): Promise<void>;
  abstract deleteValue(key: string): Promise<void>;
  /**
   * Values that are text already (serialized HTTP responses): stored and read as they are, with no
   * serializer in between, so a hit can be sent without parsing and re-serializing it.
   */
  abstract getText(key: string): Promise<string | undefined>;
  abstract setText(key: string, text: string, ttlMs: number): Promise<void>;
  abstract readGenerations(companyId: string): Promise<Generations>;
  /**
   * Increments the given generation fields and tells every instance (pub/sub) that the company's changed. A
   * field the store does not hold starts at any value above 0 (a store that can lose its counters while
   * instances run starts at a random base, so a lost count never comes back to a value entries were written under).
   */
  abstract bumpGenerations(companyId: string, fields: string[]): Promise<Generations>;
  /** Called with the company id whenever any instance bumped one of its generations. */
  abstract onGenerationsChanged(listener: (companyId: string) => void): void;
  /**
   * Whether bumps announced by any instance reach this one now (the pub/sub subscription is up). While not,
   * announcements may be missed: nothing may be kept on the strength of "no bump announced".
   */
  abstract announcementsLive(): boolean;
  /** Called with the new state whenever announcementsLive changes (a drop, e.g. a Redis restart, and the return). */
  abstract onAnnouncements(listener: (live: boolean) => void): void;
  /** Logical keys starting with `prefix`, in batches (SCAN in Redis: never KEYS). */
  abstract scan(prefix: string, batchSize: number): AsyncIterable<string[]>;
  /** Removes the given logical keys (UNLINK in Redis); returns how many existed. */
  abstract unlink(keys: string[]): Promise<number>;
  /** Forgets the company's generation counters (company erasure); 1 if it had any, else 0. */
  abstract deleteGenerations(companyId: string): Promise<number>;
  abstract addCounters(increments: CounterIncrements): Promise<void>;
  /** Removes one counter hash; 1 if it existed, else 0. */
  abstract deleteCounters(hash: string): Promise<number>;
  abstract readCounters(hash: string): Promise<Record<string, number>>;
  abstract info(): Promise<StoreInfo>;
  /** Whether the store answers right now (health). */
  abstract ping(): Promise<boolean>;
  abstract close(): Promise<void>;
}

/** Field of a layer's generation, and of one kind within a layer. */
export const layerGenerationField = (layer: CacheLayer): string => layer;
export const kindGenerationField = (layer: CacheLayer, kind: string): string => `${layer}/${kind}`;

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { canonicalJson } from '../cache/domain/cache-keys';
import { withDeadline } from '../../common/async/deadline';
import { decayedIncrement, eraTtlMs, mergeEras } from './domain/popularity-decay';
import { PopularityIncrement, PopularityStore } from './ports/popularity-store.port';

export type PopularKind = 'search' | 'query';

export interface PopularQuery {
  kind: PopularKind;
  /** The request body as the route validated it (canonical JSON round trip). */
  request: Record<string, unknown>;
  score: number;
}

/** Requests larger than this are not tracked: they would bloat the set and are unlikely to repeat. */
const MAX_MEMBER_CHARS = 4_096;
/**
 * Counts wait in process at most this long, then go to the store in one batch (one MULTI in Redis instead of one
 * per request). Well inside the erasure's settle time (erasure SETTLE_MS, 2 s after the keys are revoked): a
 * request an instance still accepted has its count stored, or discarded, before the erasers run.
 */
export const POPULARITY_FLUSH_MS = 500;
/** Distinct pending (company, era, request) counts that trigger a flush before the timer. */
const MAX_PENDING = 1_000;

/**
 * Which searches and questions a company asks most, recently: decayed counts (see popularity-decay) kept by
 * the PopularityStore. Recording is fire-and-forget for the request path: a count is added in process and the
 * pending counts are written in one batch every POPULARITY_FLUSH_MS (sooner past MAX_PENDING, and at shutdown),
 * bounded by the deadline; a failed batch is logged, never thrown. Reads write what is pending first.
 */
@Injectable()
export class QueryPopularity implements OnModuleDestroy {
  private readonly logger = new Logger('QueryPopularity');
  private pending = new Map<string, PopularityIncrement>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: PopularityStore,
    private readonly config: AppConfig,
  ) {}

  private get settings() {
    return this.config.semanticCache.popularity;
  }

  async record(input: { companyId: string; kind: PopularKind; request: object }): Promise<void> {
    const member = canonicalJson({ kind: input.kind, request: input.request });
    if (member.length > MAX_MEMBER_CHARS) return;
    const { era, increment } = decayedIncrement({ nowMs: Date.now(), halfLifeMs: this.settings.halfLifeMs });
    const key = `${input.companyId}\n${era}\n${member}`;
    const known = this.pending.get(key);
    if (known) known.by += increment;
    else this.pending.set(key, { companyId: input.companyId, era, member, by: increment });
    if (this.pending.size >= MAX_PENDING) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), POPULARITY_FLUSH_MS).unref();
  }

  /** Writes the pending counts in one batch, within the deadline. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const increments = [...this.pending.values()];
    this.pending = new Map();
    await withDeadline({
      ms: this.settings.timeoutMs,
      fallback: undefined,
      work: () =>
        this.store
          .increment({
            increments,
            maxEntries: this.settings.maxEntries,
            ttlMs: eraTtlMs(this.settings.halfLifeMs),
          })
          .catch((error) => this.failed('record', error)),
    });
  }

  /** At shutdown, before the Redis connection closes (Nest destroys dependent modules first). */
  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  /** The company's `n` most popular requests, most popular first; [] when the store does not answer in time. */
  async top(companyId: string, n: number): Promise<PopularQuery[]> {
    await this.flush();
    const { era } = decayedIncrement({ nowMs: Date.now(), halfLifeMs: this.settings.halfLifeMs });
    const scored = await withDeadline({
      ms: this.settings.timeoutMs,
      fallback: [],
      work: async () => {
        const [current, previous] = await Promise.all([
          this.store.top({ companyId, era, n }),
          era > 0 ? this.store.top({ companyId, era: era - 1, n }) : Promise.resolve([]),
        ]);
        return mergeEras({ current, previous, n });
      },
    });
    return scored.flatMap(({ member, score }) => {
      const parsed = parseMember(member);
      return parsed ? [{ ...parsed, score }] : [];
    });
  }

  /** Companies with popularity data, a page at a time (for the nightly warm; never loads them all). */
  async companies(input: { cursor: number; count: number }): Promise<{ companies: string[]; next: number }> {
    await this.flush();
    return withDeadline({
      ms: this.settings.timeoutMs * 10,
      fallback: { companies: [], next: 0 },
      work: () => this.store.companies(input),
    });
  }

  private failed(operation: string, error: unknown): undefined {
    this.logger.warn(
      `popularity ${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

/** Members come back from a shared store: anything that is not a request this service wrote is skipped. */
function parseMember(member: string): Omit<PopularQuery, 'score'> | undefined {
  try {
    const parsed = JSON.parse(member) as Partial<PopularQuery>;
    const kindOk = parsed.kind === 'search' || parsed.kind === 'query';
    const requestOk =
      typeof parsed.request === 'object' && parsed.request !== null && !Array.isArray(parsed.request);
    return kindOk && requestOk ? { kind: parsed.kind!, request: parsed.request! } : undefined;
  } catch {
    return undefined;
  }
}

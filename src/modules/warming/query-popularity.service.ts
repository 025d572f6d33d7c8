import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { canonicalJson } from '../cache/domain/cache-keys';
import { withDeadline } from '../../common/async/deadline';
import { decayedIncrement, eraTtlMs, mergeEras } from './domain/popularity-decay';
import { PopularityStore } from './ports/popularity-store.port';

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
 * Which searches and questions a company asks most, recently: decayed counts (see popularity-decay) kept by
 * the PopularityStore. Recording is fire-and-forget for the request path: bounded, and a failure is logged,
 * never thrown.
 */
@Injectable()
export class QueryPopularity {
  private readonly logger = new Logger('QueryPopularity');

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
    await withDeadline({
      ms: this.settings.timeoutMs,
      fallback: undefined,
      work: () =>
        this.store
          .increment({
            companyId: input.companyId,
            era,
            member,
            by: increment,
            maxEntries: this.settings.maxEntries,
            ttlMs: eraTtlMs(this.settings.halfLifeMs),
          })
          .catch((error) => this.failed('record', error)),
    });
  }

  /** The company's `n` most popular requests, most popular first; [] when the store does not answer in time. */
  async top(companyId: string, n: number): Promise<PopularQuery[]> {
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
  companies(input: { cursor: number; count: number }): Promise<{ companies: string[]; next: number }> {
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

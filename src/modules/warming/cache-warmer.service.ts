import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { PopularQuery, QueryPopularity } from './query-popularity.service';
import { WarmLock } from './ports/warm-lock.port';

export interface WarmerOutcome {
  warmed: number;
  skipped: number;
  failed: number;
}

/** Gets the company's popular requests (all kinds) and fills the cache for the ones it knows how to serve. */
export type Warmer = (input: { companyId: string; popular: PopularQuery[] }) => Promise<WarmerOutcome>;

export interface WarmReport {
  companyId: string;
  /** false: another instance was warming this company; nothing ran. */
  ran: boolean;
  popular: number;
  warmers: Record<string, WarmerOutcome | { error: string }>;
  durationMs: number;
}

/**
 * The registry of warmers (`search` here, `answer` from assist) and one warm run: take the company's top-N
 * popular requests and hand them to every warmer, under a lock so one instance warms a company at a time.
 */
@Injectable()
export class CacheWarmer {
  private readonly logger = new Logger('CacheWarmer');
  private readonly warmers = new Map<string, Warmer>();

  constructor(
    private readonly popularity: QueryPopularity,
    private readonly lock: WarmLock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  register(name: string, warmer: Warmer): void {
    if (this.warmers.has(name)) throw new Error(`cache warmer '${name}' is already registered`);
    this.warmers.set(name, warmer);
  }

  get names(): string[] {
    return [...this.warmers.keys()];
  }

  async warmCompany(companyId: string): Promise<WarmReport> {
    const started = performance.now();
    const { topN, lockTtlMs } = this.config.semanticCache.warming;
    const name = `warm:${companyId}`;
    const token = await this.lock.acquire({ name, ttlMs: lockTtlMs }).catch(() => undefined);
    if (!token)
      return { companyId, ran: false, popular: 0, warmers: {}, durationMs: performance.now() - started };
    try {
      const popular = await this.popularity.top(companyId, topN);
      const warmers: WarmReport['warmers'] = {};
      for (const [warmerName, warmer] of this.warmers) {
        try {
          warmers[warmerName] = await warmer({ companyId, popular });
          this.metrics.recordCacheOperation({
            operation: 'warm',
            result: 'ok',
            cacheType: warmerName === 'search' ? 'vector' : 'llm',
          });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.logger.warn(`warmer ${warmerName} failed for ${companyId}: ${message}`);
          this.metrics.recordCacheOperation({
            operation: 'warm',
            result: 'error',
            cacheType: warmerName === 'search' ? 'vector' : 'llm',
          });
          warmers[warmerName] = { error: message };
        }
      }
      return {
        companyId,
        ran: true,
        popular: popular.length,
        warmers,
        durationMs: performance.now() - started,
      };
    } finally {
      await this.lock.release({ name, token }).catch(() => undefined);
    }
  }
}

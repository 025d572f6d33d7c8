import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { CacheLayer } from '../../common/cache/cache-layers';
import { AppConfig } from '../../config/config';
import { CompanyLabeler } from './domain/company-label';
import { CacheResultLabel, QueryType } from './domain/metric-labels';
import { BREAKER_STATE_VALUE, defineMetrics, Metrics } from './metrics.definitions';

/** `fallback`: answered by the local model after the remote one failed (that failure is counted too). */
export type LlmCallStatus =
  'success' | 'fallback' | 'error' | 'timeout' | 'rate_limited' | 'circuit_open' | 'cancelled';
export type CacheOperation = 'get' | 'set' | 'delete' | 'invalidate' | 'warm';
export type CacheOperationResult = 'hit' | 'stale' | 'miss' | 'ok' | 'error';
export type BreakerState = keyof typeof BREAKER_STATE_VALUE;
export type QueueState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'paused';
export type AssistStateStore = 'session' | 'preferences';
export type AssistStateOperation = 'read' | 'write';

export interface LlmCallRecord {
  /** `openai`, `local`, …: from config, never from a response. */
  provider: string;
  model: string;
  companyId: string;
  status: LlmCallStatus;
  /** Whole call as the service saw it: limiter wait, retries, upstream time. */
  durationS: number;
  /** Time spent waiting on the upstream; with it, the service's own overhead is recorded. */
  upstreamS?: number;
  /** Streaming calls: time to the first token. */
  ttftS?: number;
  /** `prompt` excludes `cached_prompt`, the prompt tokens the provider served from its prompt cache. */
  tokens: { prompt?: number; cached_prompt?: number; completion?: number; embedding?: number };
  costUsd?: number;
}

export interface HttpRequestRecord {
  method: string;
  /** Route template, or `unmatched`: see domain/metric-labels.ts. */
  endpoint: string;
  companyId?: string;
  statusCode: string;
  cacheResult: CacheResultLabel;
  durationS: number;
}

const SEP = '\u0000';
const LINT_FAILING_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The recording API every module calls; the only holder of the metric objects. One registry per
 * application instance (not prom-client's global one), so two apps in one process never share series.
 * Every company id passes through the CompanyLabeler, which bounds the company_id label values.
 * Label values other than company_id must be constants or config values (route templates, model,
 * queue and upstream names), never request data.
 *
 * Who feeds what: HTTP timing hook → recordHttpRequest (cache_result from the `X-Cache` reply header, so a
 * cacheable route only sets that header); TypeORM query timer → recordDbQuery; LLM module → recordLlmCall,
 * setBreakerState; search → recordVectorSearch; cache → recordCacheOperation, setCacheHitRate,
 * recordCostAvoided; assist → setActiveSessions; ingest → setQueueDepth, recordJob.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly metrics: Metrics;
  private readonly labeler: CompanyLabeler;
  private readonly sessions = new Map<string, number>();
  private readonly hitRates = new Map<string, number>();

  constructor(config: AppConfig) {
    this.labeler = new CompanyLabeler(config.metrics.companyLabel);
    this.metrics = defineMetrics(this.registry, {
      activeSessions: () => this.sessionsByLabel(),
      cacheHitRates: () => this.hitRatesByLabel(),
    });
    if (config.metrics.enabled) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named *_total fail `promtool check metrics`; the per-type nodejs_active_* gauges remain.
      for (const name of LINT_FAILING_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    }
    // Every series starts at 0, so a rate or an alert has one before the first failure.
    for (const store of ['session', 'preferences'] as const)
      for (const operation of ['read', 'write'] as const)
        this.metrics.assistStateFailures.inc({ store, operation }, 0);
  }

  /** Prometheus text exposition of everything recorded. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Fed by the HTTP hook for every response, including errors thrown before a handler ran. */
  recordHttpRequest(r: HttpRequestRecord): void {
    this.metrics.httpRequestDuration.observe(
      {
        method: r.method,
        endpoint: r.endpoint,
        company_id: this.company(r.companyId),
        status_code: r.statusCode,
        cache_result: r.cacheResult,
      },
      r.durationS,
    );
  }

  /** One LLM call (chat or embedding), whatever its outcome. */
  recordLlmCall(r: LlmCallRecord): void {
    const labels = { provider: r.provider, model: r.model, company_id: this.company(r.companyId) };
    this.metrics.llmRequestDuration.observe(labels, r.durationS);
    this.metrics.llmRequests.inc({ ...labels, status: r.status });
    if (r.ttftS !== undefined) this.metrics.llmTimeToFirstToken.observe(labels, r.ttftS);
    if (r.upstreamS !== undefined)
      this.metrics.llmOverhead.observe(labels, Math.max(0, r.durationS - r.upstreamS));
    for (const tokenType of ['prompt', 'cached_prompt', 'completion', 'embedding'] as const) {
      const n = r.tokens[tokenType];
      if (n) this.metrics.llmTokenUsage.inc({ ...labels, token_type: tokenType }, n);
    }
    if (r.costUsd) this.metrics.llmCost.inc(labels, r.costUsd);
  }

  /**
   * The LLM spend a cache hit saved: what the call would have cost (priced with `UsageLedger.costOf`).
   * Fed by the cache's savings ledger (CacheStatsService.recordSavings), once per hit.
   */
  recordCostAvoided(r: { cacheType: CacheLayer; companyId: string; costUsd: number }): void {
    if (r.costUsd > 0) {
      this.metrics.llmCostAvoided.inc(
        { cache_type: r.cacheType, company_id: this.company(r.companyId) },
        r.costUsd,
      );
    }
  }

  /**
   * One cache operation (fed by the cache module): `get` → hit / stale / miss / error; `set`, `delete`,
   * `invalidate`, `warm` → ok / error. `cacheType` is the layer. No company label: per-company hit ratio
   * is `setCacheHitRate`.
   */
  recordCacheOperation(r: {
    operation: CacheOperation;
    result: CacheOperationResult;
    cacheType: CacheLayer;
  }): void {
    this.metrics.cacheOperations.inc({ operation: r.operation, result: r.result, cache_type: r.cacheType });
  }

  /** Last known hit rate of a layer for a company, 0-100 (e.g. from cache stats). */
  setCacheHitRate(r: { cacheType: CacheLayer; companyId: string; percent: number }): void {
    this.hitRates.set(`${r.cacheType}${SEP}${r.companyId}`, clamp(r.percent, 0, 100));
  }

  recordVectorSearch(r: {
    companyId: string;
    collection: string;
    durationS: number;
    resultCount: number;
  }): void {
    const labels = { company_id: this.company(r.companyId), collection: r.collection };
    this.metrics.vectorSearchDuration.observe(labels, r.durationS);
    this.metrics.vectorSearchResults.observe(labels, r.resultCount);
  }

  /** Fed by the TypeORM query timer; companyId from the request context when there is one. */
  recordDbQuery(r: { queryType: QueryType; companyId?: string; durationS: number }): void {
    this.metrics.dbQueryDuration.observe(
      { query_type: r.queryType, company_id: this.company(r.companyId) },
      r.durationS,
    );
  }

  /**
   * A session or preferences store call that failed or missed its deadline; the request answered without it
   * (`degraded`) or, for a write after the answer, the turn was not recorded.
   */
  recordAssistStateFailure(r: { store: AssistStateStore; operation: AssistStateOperation }): void {
    this.metrics.assistStateFailures.inc({ store: r.store, operation: r.operation });
  }

  /** Current number of live sessions of a company (0 forgets it); fed by the assist module on open/expiry. */
  setActiveSessions(r: { companyId: string; count: number }): void {
    if (r.count > 0) this.sessions.set(r.companyId, r.count);
    else this.sessions.delete(r.companyId);
  }

  setBreakerState(r: { upstream: string; state: BreakerState }): void {
    this.metrics.breakerState.set({ upstream: r.upstream }, BREAKER_STATE_VALUE[r.state]);
  }

  /** Job counts of a queue, e.g. straight from the queue's job counts; states not given are left as they were. */
  setQueueDepth(r: { queue: string; counts: Partial<Record<QueueState, number>> }): void {
    // A known queue's item counters start at 0, so failure rates and alerts have a series before the first failure.
    this.metrics.queueItemsProcessed.inc({ queue: r.queue }, 0);
    this.metrics.queueItemsFailed.inc({ queue: r.queue }, 0);
    for (const [state, n] of Object.entries(r.counts)) {
      if (n !== undefined) this.metrics.queueJobs.set({ queue: r.queue, state }, n);
    }
  }

  /** One finished job; `processed`/`failed` count the items it handled. */
  recordJob(r: { queue: string; job: string; durationS: number; processed?: number; failed?: number }): void {
    this.metrics.jobDuration.observe({ queue: r.queue, job: r.job }, r.durationS);
    this.recordItems(r);
  }

  /** Items handled, for progress reported before a job ends. */
  recordItems(r: { queue: string; processed?: number; failed?: number }): void {
    if (r.processed) this.metrics.queueItemsProcessed.inc({ queue: r.queue }, r.processed);
    if (r.failed) this.metrics.queueItemsFailed.inc({ queue: r.queue }, r.failed);
  }

  /** The company_id label value for a recording; counts the company's traffic toward a named seat. */
  private company(companyId: string | undefined): string {
    const label = this.labeler.observe(companyId, Date.now());
    const evicted = this.labeler.takeEvicted();
    if (evicted.length > 0) void this.dropCompanySeries(new Set(evicted));
    return label;
  }

  /** A company that lost its seat keeps no named series: the bound holds for the scrape, not just new data. */
  private async dropCompanySeries(companies: Set<string>): Promise<void> {
    const m = this.metrics;
    const companyMetrics: RemovableMetric[] = [
      m.httpRequestDuration,
      m.llmRequestDuration,
      m.llmRequests,
      m.llmTokenUsage,
      m.llmTimeToFirstToken,
      m.llmOverhead,
      m.llmCost,
      m.llmCostAvoided,
      m.vectorSearchDuration,
      m.vectorSearchResults,
      m.dbQueryDuration,
    ];
    for (const metric of companyMetrics) {
      const seen = new Map<string, Record<string, string | number>>();
      for (const { labels } of (await metric.get()).values) {
        if (!companies.has(String(labels.company_id))) continue;
        const { le: _le, ...series } = labels;
        seen.set(JSON.stringify(series), series);
      }
      for (const series of seen.values()) metric.remove(series);
    }
  }

  private sessionsByLabel(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [companyId, count] of this.sessions) {
      const label = this.labeler.labelOf(companyId);
      out.set(label, (out.get(label) ?? 0) + count);
    }
    return out;
  }

  private hitRatesByLabel(): Array<{ cacheType: string; companyId: string; percent: number }> {
    const sums = new Map<string, { sum: number; n: number }>();
    for (const [key, percent] of this.hitRates) {
      const [cacheType, companyId] = key.split(SEP);
      const labelKey = `${cacheType}${SEP}${this.labeler.labelOf(companyId)}`;
      const acc = sums.get(labelKey) ?? { sum: 0, n: 0 };
      sums.set(labelKey, { sum: acc.sum + percent, n: acc.n + 1 });
    }
    return [...sums].map(([key, { sum, n }]) => {
      const [cacheType, companyId] = key.split(SEP);
      return { cacheType, companyId, percent: sum / n };
    });
  }
}

interface RemovableMetric {
  get(): Promise<{ values: Array<{ labels: Record<string, string | number> }> }>;
  remove(labels: Record<string, string | number>): void;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

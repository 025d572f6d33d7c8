import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric the service exports, in one place. Names and labels of the first eleven follow the
 * performance guide (docs: Prometheus section); the rest extend it for LLM latency split, cost, resilience
 * and queues. Label values must come from code or config (route templates, model names, queue names),
 * never from request data; company_id always goes through the CompanyLabeler.
 */

/** Includes the response budgets (2 s /init, 3 s /query, 5 s /reply) as bucket bounds, so `le="3"` is exact. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
/** Upstream LLM calls and jobs run longer than a request budget. */
export const LONG_LATENCY_BUCKETS = [...LATENCY_BUCKETS, 20, 30, 60, 120, 300];
export const RESULT_COUNT_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100];

/** Values of circuit_breaker_state. */
export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/** Gauges aggregated per company label are computed when scraped, from state the MetricsService keeps. */
export interface ScrapeTimeSources {
  /** Active sessions per company label (the rest summed into `other`). */
  activeSessions(): Map<string, number>;
  /** Hit rate per layer and company label (the rest averaged into `other`). */
  cacheHitRates(): Array<{ cacheType: string; companyId: string; percent: number }>;
}

export function defineMetrics(registry: Registry, sources: ScrapeTimeSources) {
  const registers = [registry];
  return {
    // --- HTTP -----------------------------------------------------------------------------------------
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template; cache_result from the X-Cache reply header',
      labelNames: ['method', 'endpoint', 'company_id', 'status_code', 'cache_result'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),

    // --- LLM ------------------------------------------------------------------------------------------
    llmRequestDuration: new Histogram({
      name: 'llm_request_duration_seconds',
      help: 'LLM call duration as the service sees it (queueing, retries and upstream time)',
      labelNames: ['provider', 'model', 'company_id'] as const,
      buckets: LONG_LATENCY_BUCKETS,
      registers,
    }),
    llmRequests: new Counter({
      name: 'llm_requests_total',
      help: 'LLM calls by outcome',
      labelNames: ['provider', 'model', 'company_id', 'status'] as const,
      registers,
    }),
    llmTokenUsage: new Counter({
      name: 'llm_token_usage_total',
      help: "LLM tokens used, by token_type: prompt (not from the provider's prompt cache), cached_prompt, completion, embedding",
      labelNames: ['provider', 'model', 'company_id', 'token_type'] as const,
      registers,
    }),
    llmTimeToFirstToken: new Histogram({
      name: 'llm_time_to_first_token_seconds',
      help: 'Time from the start of a streamed LLM call to its first token',
      labelNames: ['provider', 'model', 'company_id'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    llmOverhead: new Histogram({
      name: 'llm_overhead_seconds',
      help: "The service's own share of an LLM call: total duration minus upstream time",
      labelNames: ['provider', 'model', 'company_id'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    llmCost: new Counter({
      name: 'llm_cost_usd_total',
      help: 'Estimated LLM spend in US dollars',
      labelNames: ['provider', 'model', 'company_id'] as const,
      registers,
    }),
    llmCostAvoided: new Counter({
      name: 'llm_cost_avoided_usd_total',
      help: 'Estimated LLM spend avoided by answering from cache, in US dollars',
      labelNames: ['cache_type', 'company_id'] as const,
      registers,
    }),

    // --- Vector search --------------------------------------------------------------------------------
    vectorSearchDuration: new Histogram({
      name: 'vector_search_duration_seconds',
      help: 'Vector search duration',
      labelNames: ['company_id', 'collection'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    vectorSearchResults: new Histogram({
      name: 'vector_search_results_count',
      help: 'Number of vector search results',
      labelNames: ['company_id', 'collection'] as const,
      buckets: RESULT_COUNT_BUCKETS,
      registers,
    }),

    // --- Cache ----------------------------------------------------------------------------------------
    cacheOperations: new Counter({
      name: 'cache_operations_total',
      help: 'Cache operations by layer and result',
      labelNames: ['operation', 'result', 'cache_type'] as const,
      registers,
    }),
    cacheHitRate: new Gauge({
      name: 'cache_hit_rate_percent',
      help: 'Cache hit rate percentage as last reported per layer and company (other: mean of the rest)',
      labelNames: ['cache_type', 'company_id'] as const,
      registers,
      collect() {
        this.reset();
        for (const { cacheType, companyId, percent } of sources.cacheHitRates()) {
          this.set({ cache_type: cacheType, company_id: companyId }, percent);
        }
      },
    }),

    // --- Database -------------------------------------------------------------------------------------
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Database query duration by statement type',
      labelNames: ['query_type', 'company_id'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),

    assistStateFailures: new Counter({
      name: 'assist_state_failures_total',
      help: 'Session and agent-preference store calls that failed or timed out (the request went on without them)',
      labelNames: ['store', 'operation'] as const,
      registers,
    }),

    // --- System ---------------------------------------------------------------------------------------
    activeSessions: new Gauge({
      name: 'active_sessions_current',
      help: 'Current active copilot sessions (other: sum of the rest)',
      labelNames: ['company_id'] as const,
      registers,
      collect() {
        this.reset();
        for (const [companyId, count] of sources.activeSessions()) this.set({ company_id: companyId }, count);
      },
    }),
    memoryUsage: new Gauge({
      name: 'memory_usage_bytes',
      help: 'Process memory in bytes by component, read at scrape time',
      labelNames: ['component'] as const,
      registers,
      collect() {
        const m = process.memoryUsage();
        this.set({ component: 'rss' }, m.rss);
        this.set({ component: 'heap_used' }, m.heapUsed);
        this.set({ component: 'heap_total' }, m.heapTotal);
        this.set({ component: 'external' }, m.external);
        this.set({ component: 'array_buffers' }, m.arrayBuffers);
      },
    }),

    // --- Resilience and queues ------------------------------------------------------------------------
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'] as const,
      registers,
    }),
    queueJobs: new Gauge({
      name: 'queue_jobs_current',
      help: 'Jobs per queue and state (waiting, active, delayed, completed, failed, paused)',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'job_duration_seconds',
      help: 'Background job duration by queue and job name',
      labelNames: ['queue', 'job'] as const,
      buckets: LONG_LATENCY_BUCKETS,
      registers,
    }),
    queueItemsProcessed: new Counter({
      name: 'queue_items_processed_total',
      help: 'Items (tickets, articles, prompts) processed successfully by background jobs',
      labelNames: ['queue'] as const,
      registers,
    }),
    queueItemsFailed: new Counter({
      name: 'queue_items_failed_total',
      help: 'Items background jobs failed to process',
      labelNames: ['queue'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof defineMetrics>;

import { loadConfig } from '../../config/config';
import { MetricsService } from './metrics.service';

function service(env: Record<string, string> = {}): MetricsService {
  return new MetricsService(loadConfig({ METRICS_ENABLED: 'false', ...env }));
}

/** Sample lines of one metric (without HELP/TYPE), e.g. `http_request_duration_seconds_count`. */
async function samples(metrics: MetricsService, name: string): Promise<string[]> {
  const { body } = await metrics.scrape();
  return body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

const companyOf = (line: string) => /company_id="([^"]*)"/.exec(line)?.[1];
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MetricsService', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps the HTTP histogram to K+1 company series with 500 companies sending traffic (top:20)', async () => {
    const metrics = service({ METRICS_COMPANY_LABEL: 'top:20' });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) {
        metrics.recordHttpRequest({
          method: 'GET',
          endpoint: '/api/v1/tickets',
          companyId: `company-${i}`,
          statusCode: '200',
          cacheResult: 'none',
          durationS: 0.01,
        });
      }
    }
    const counts = await samples(metrics, 'http_request_duration_seconds_count');
    expect(counts).toHaveLength(21);
    expect(new Set(counts.map(companyOf)).size).toBe(21);
    // 21 series × (12 buckets + +Inf + _sum + _count).
    const lines = (await metrics.scrape()).body
      .split('\n')
      .filter((l) => l.startsWith('http_request_duration_seconds'));
    expect(lines).toHaveLength(21 * 15);
    const total = counts.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(total).toBe(1_500);
  });

  it('drops every named series of a company that loses its seat', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(0);
    const metrics = service({ METRICS_COMPANY_LABEL: 'top:1' });
    const call = (companyId: string) =>
      metrics.recordLlmCall({
        provider: 'local',
        model: 'm',
        companyId,
        status: 'success',
        durationS: 0.5,
        upstreamS: 0.4,
        tokens: { prompt: 10, completion: 5 },
        costUsd: 0.001,
      });
    call('first');
    for (let i = 0; i < 20; i++) call('second');
    now.mockReturnValue(120_000);
    call('second');
    await flush();
    const { body } = await metrics.scrape();
    expect(body).not.toContain('company_id="first"');
    expect(body).toContain(
      'llm_requests_total{provider="local",model="m",company_id="second",status="success"} 1',
    );
    expect(body).toContain(
      'llm_requests_total{provider="local",model="m",company_id="other",status="success"} 20',
    );
  });

  it('records an LLM call as duration, outcome, tokens, overhead, time to first token and cost', async () => {
    const metrics = service();
    metrics.recordLlmCall({
      provider: 'openai',
      model: 'gpt-4o-mini',
      companyId: 'acme',
      status: 'success',
      durationS: 1.5,
      upstreamS: 1.2,
      ttftS: 0.3,
      tokens: { prompt: 100, completion: 40, embedding: 0 },
      costUsd: 0.002,
    });
    metrics.recordCostAvoided({ cacheType: 'llm', companyId: 'acme', costUsd: 0.002 });
    const { body } = await metrics.scrape();
    const labels = 'provider="openai",model="gpt-4o-mini",company_id="acme"';
    expect(body).toContain(`llm_token_usage_total{${labels},token_type="prompt"} 100`);
    expect(body).toContain(`llm_token_usage_total{${labels},token_type="completion"} 40`);
    expect(body).not.toContain('token_type="embedding"');
    expect(body).toContain(`llm_cost_usd_total{${labels}} 0.002`);
    expect(body).toContain(`llm_time_to_first_token_seconds_count{${labels}} 1`);
    expect(body).toMatch(new RegExp(`llm_overhead_seconds_sum\\{${labels}\\} 0\\.3`));
    expect(body).toContain('llm_cost_avoided_usd_total{cache_type="llm",company_id="acme"} 0.002');
  });

  it('aggregates gauges of unnamed companies into other: sessions summed, hit rates averaged', async () => {
    const metrics = service({ METRICS_COMPANY_LABEL: 'top:1' });
    metrics.recordHttpRequest({
      method: 'GET',
      endpoint: '/x',
      companyId: 'named',
      statusCode: '200',
      cacheResult: 'none',
      durationS: 0,
    });
    metrics.setActiveSessions({ companyId: 'named', count: 2 });
    metrics.setActiveSessions({ companyId: 'b', count: 3 });
    metrics.setActiveSessions({ companyId: 'c', count: 4 });
    metrics.setCacheHitRate({ cacheType: 'llm', companyId: 'b', percent: 20 });
    metrics.setCacheHitRate({ cacheType: 'llm', companyId: 'c', percent: 60 });
    metrics.setBreakerState({ upstream: 'openai', state: 'open' });
    metrics.setQueueDepth({ queue: 'ingest', counts: { waiting: 3, failed: 1 } });
    const { body } = await metrics.scrape();
    expect(body).toContain('active_sessions_current{company_id="named"} 2');
    expect(body).toContain('active_sessions_current{company_id="other"} 7');
    expect(body).toContain('cache_hit_rate_percent{cache_type="llm",company_id="other"} 40');
    expect(body).toContain('circuit_breaker_state{upstream="openai"} 2');
    expect(body).toContain('queue_jobs_current{queue="ingest",state="waiting"} 3');
    expect(body).toContain('queue_items_failed_total{queue="ingest"} 0');
  });

  it('reports every company as redacted under off', async () => {
    const metrics = service({ METRICS_COMPANY_LABEL: 'off' });
    metrics.recordVectorSearch({ companyId: 'acme', collection: 'tickets', durationS: 0.01, resultCount: 3 });
    expect(await samples(metrics, 'vector_search_results_count_count')).toEqual([
      'vector_search_results_count_count{company_id="redacted",collection="tickets"} 1',
    ]);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsServer } from '../../src/bootstrap/metrics-server';
import { BackgroundTasks } from '../../src/modules/assist/background-tasks.service';
import { TicketPrefetchListener } from '../../src/modules/assist/ticket-prefetch.listener';
import { QueueMetricsReporter } from '../../src/modules/jobs/queue-metrics.reporter';
import { UsageLedger } from '../../src/modules/llm/usage-ledger.service';
import { articleFactory, ticketFactory } from '../factories/ticket.factory';
import { FakeOpenAiServer } from '../fakes/openai.fake-server';
import { FakeQdrantServer } from '../fakes/qdrant.fake-server';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unparseable sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

function find(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

const PROMTOOL = spawnSync('promtool', ['--version']).error ? undefined : 'promtool';

const FAMILIES = {
  http_request_duration_seconds: ['method', 'endpoint', 'company_id', 'status_code', 'cache_result'],
  llm_request_duration_seconds: ['provider', 'model', 'company_id'],
  llm_requests_total: ['provider', 'model', 'company_id', 'status'],
  llm_token_usage_total: ['provider', 'model', 'company_id', 'token_type'],
  llm_time_to_first_token_seconds: ['provider', 'model', 'company_id'],
  llm_overhead_seconds: ['provider', 'model', 'company_id'],
  llm_cost_usd_total: ['provider', 'model', 'company_id'],
  llm_cost_avoided_usd_total: ['cache_type', 'company_id'],
  vector_search_duration_seconds: ['company_id', 'collection'],
  vector_search_results_count: ['company_id', 'collection'],
  cache_operations_total: ['operation', 'result', 'cache_type'],
  cache_hit_rate_percent: ['cache_type', 'company_id'],
  db_query_duration_seconds: ['query_type', 'company_id'],
  active_sessions_current: ['company_id'],
  assist_state_failures_total: ['store', 'operation'],
  memory_usage_bytes: ['component'],
  circuit_breaker_state: ['upstream'],
  queue_jobs_current: ['queue', 'state'],
  job_duration_seconds: ['queue', 'job'],
  queue_items_processed_total: ['queue'],
  queue_items_failed_total: ['queue'],
};

const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/** The OpenAI double with fast retries, so an injected failure ends in seconds. */
const LLM_ENV = {
  OPENAI_API_KEY: 'sk-test',
  LLM_CHAT_MODEL: 'gpt-4o-mini',
  LLM_EMBEDDING_MODEL: 'text-embedding-3-small',
  LLM_EMBEDDING_DIMENSION: '16',
  LLM_MAX_RETRIES: '1',
  LLM_RETRY_INITIAL_DELAY_MS: '5',
  LLM_RETRY_MAX_DELAY_MS: '50',
  LLM_BATCH_RETRY_DELAY_MS: '5',
  LLM_BATCH_DELAY_MS: '0',
  RECONCILE_INTERVAL_MS: '600000',
};

const sum = (samples: Sample[]) => samples.reduce((total, s) => total + s.value, 0);

function promtoolCheckMetrics(text: string) {
  if (!PROMTOOL) throw new Error('promtool is not on PATH; CI installs it (Debian package prometheus)');
  const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: check.status, stdout: check.stdout, stderr: check.stderr };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function queueIdle(t: TestApp): Promise<boolean> {
  const res = await t.request({ method: 'GET', url: '/api/v1/admin/queues', key: TEST_ADMIN_KEY });
  const c = res.body.queues.ingest;
  return c.waiting + c.active + c.delayed === 0;
}

describe.each(dbTargets())('GET /metrics after a scripted workload (%s)', (target) => {
  let fake: FakeOpenAiServer;
  let t: TestApp;
  let text: string;
  let samples: Sample[];
  const secretTicketId = 'TICKET-8f3a91c2';
  let acmeKey: string;
  /** X-Cache of each search response, as the HTTP histogram must have labelled it. */
  const searchCacheResults: string[] = [];
  let ingestState: string;

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ embeddingDimension: 16 });
    t = await startTestApp(target, { ...LLM_ENV, OPENAI_BASE_URL: fake.url, METRICS_COMPANY_LABEL: 'top:5' });
    acmeKey = await t.createCompany('acme');
    const globexKey = await t.createCompany('globex');

    // Tickets: stored, then summarized and embedded by the outbox job (LLM chat + embeddings, vector upserts).
    for (const key of [acmeKey, globexKey]) {
      const put = await t.request({
        method: 'PUT',
        url: '/api/v1/tickets',
        key,
        body: {
          tickets: [
            ticketFactory({ ticket_id: secretTicketId, updated_at: '2024-05-02T00:00:00Z' }),
            ticketFactory({ updated_at: '2024-05-03T00:00:00Z' }),
          ],
        },
      });
      expect(put.status).toBe(200);
      expect((await t.request({ method: 'GET', url: '/api/v1/tickets?limit=5', key })).status).toBe(200);
    }
    await t.request({
      method: 'PUT',
      url: '/api/v1/articles',
      key: acmeKey,
      body: { articles: [articleFactory({ updated_at: '2024-05-02T00:00:00Z' })] },
    });
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/tickets/${secretTicketId}`, key: acmeKey })).status,
    ).toBe(200);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/no-such-route/abc123', key: acmeKey })).status,
    ).toBe(404);
    const bad = await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key: acmeKey,
      body: { tickets: [{ ticket_id: 'x' }] },
    });
    expect(bad.status).toBe(400);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets' })).status).toBe(401);
    await waitFor(() => queueIdle(t), 'outbox indexing');

    // An ingest job over the stored range.
    const start = await t.request({
      method: 'POST',
      url: '/api/v1/ingest',
      key: acmeKey,
      body: {
        start_date: '2024-05-01',
        end_date: '2024-05-31',
        data_types: ['tickets', 'articles'],
        options: { force: true },
      },
    });
    expect(start.status).toBe(202);
    await waitFor(async () => {
      const res = await t.request({
        method: 'GET',
        url: `/api/v1/ingest/${start.body.job_id}`,
        key: acmeKey,
      });
      ingestState = res.body.state;
      return ingestState === 'completed' || ingestState === 'failed';
    }, 'ingest job');
    await waitFor(() => queueIdle(t), 'ingest queue');

    // Search: the same query twice (a miss, then a hit where the cache serves it) and one that finds nothing.
    for (const query of ['refund not received', 'refund not received', 'zebra quantum marmalade']) {
      const res = await t.request({ method: 'POST', url: '/api/v1/search', key: acmeKey, body: { query } });
      expect(res.status).toBe(200);
      const header = String(res.headers['x-cache'] ?? '').toLowerCase();
      searchCacheResults.push(['hit', 'stale', 'miss'].includes(header) ? header : 'none');
    }

    // Copilot: a session, and a reply draft streamed over SSE (time to first token).
    const init = await t.request({
      method: 'POST',
      url: '/api/v1/init',
      key: acmeKey,
      body: { ticket_id: secretTicketId },
    });
    expect(init.status).toBe(200);
    const reply = await t.request({
      method: 'POST',
      url: '/api/v1/reply',
      key: acmeKey,
      body: { ticket_id: secretTicketId },
      headers: { accept: 'text/event-stream' },
    });
    if (reply.status !== 200) throw new Error(`/reply answered ${reply.status}: ${reply.text.slice(0, 300)}`);
    expect(reply.text).toContain('event: done');
    // A question asked twice: the second answer comes from the cache, which credits the cost it avoided.
    for (let i = 0; i < 2; i++) {
      const query = await t.request({
        method: 'POST',
        url: '/api/v1/query',
        key: acmeKey,
        body: { query: 'How long does a refund take?' },
      });
      expect(query.status).toBe(200);
      expect(query.body.cached).toBe(i === 1);
    }

    // An LLM failure: the embeddings upstream answers 500 to the attempt and its retry; search degrades.
    await waitFor(() => queueIdle(t), 'queue before the failure');
    // Prefetch and background refreshes embed too: a fault they consumed would not be the search's.
    await t.app.get(TicketPrefetchListener).whenIdle();
    await t.app.get(BackgroundTasks).drain();
    fake.injectFaults([{ status: 500 }, { status: 500 }], 'embeddings');
    const degraded = await t.request({
      method: 'POST',
      url: '/api/v1/search',
      key: acmeKey,
      body: { query: 'an upstream failure makes this keyword only' },
    });
    expect(degraded.status).toBe(200);
    expect(fake.counters.faults).toBe(2);
    searchCacheResults.push(String(degraded.headers['x-cache'] ?? 'none').toLowerCase());

    // The depth gauge and the hit-rate gauge refresh every few seconds; take readings now rather than wait.
    await t.app.get(QueueMetricsReporter).refresh();
    const stats = await t.request({ method: 'GET', url: '/api/v1/admin/cache/stats', key: TEST_ADMIN_KEY });
    expect(stats.status).toBe(200);
    const res = await t.scrapeMetrics();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    text = res.text;
    samples = parse(text);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('exports every metric family with exactly its documented labels, plus Node process metrics', () => {
    for (const [family, labels] of Object.entries(FAMILIES)) {
      expect(text).toContain(`# HELP ${family} `);
      const own = samples.filter((s) => s.name.replace(HISTOGRAM_SUFFIX, '') === family || s.name === family);
      expect({ family, present: own.length > 0 }).toEqual({ family, present: true });
      for (const s of own) {
        expect({
          family,
          labels: Object.keys(s.labels)
            .filter((k) => k !== 'le')
            .sort(),
        }).toEqual({
          family,
          labels: [...labels].sort(),
        });
      }
    }
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
    expect(
      find(samples, 'memory_usage_bytes', {})
        .map((s) => s.labels.component)
        .sort(),
    ).toEqual(['array_buffers', 'external', 'heap_total', 'heap_used', 'rss']);
  });

  it('counts each request once under its route template, company, status and X-Cache result', () => {
    const count = (labels: Record<string, string>) =>
      sum(find(samples, 'http_request_duration_seconds_count', labels));
    expect(
      count({ method: 'POST', endpoint: '/api/v1/admin/companies', company_id: 'none', status_code: '201' }),
    ).toBe(2);
    expect(
      count({ method: 'PUT', endpoint: '/api/v1/tickets', company_id: 'acme', status_code: '200' }),
    ).toBe(1);
    expect(
      count({ method: 'PUT', endpoint: '/api/v1/tickets', company_id: 'globex', status_code: '200' }),
    ).toBe(1);
    expect(
      count({ method: 'PUT', endpoint: '/api/v1/tickets', company_id: 'acme', status_code: '400' }),
    ).toBe(1);
    expect(count({ method: 'GET', endpoint: '/api/v1/tickets', status_code: '200' })).toBe(2);
    expect(
      count({
        method: 'GET',
        endpoint: '/api/v1/tickets/:ticket_id',
        company_id: 'acme',
        status_code: '200',
      }),
    ).toBe(1);
    expect(count({ method: 'GET', endpoint: 'unmatched', company_id: 'none', status_code: '404' })).toBe(1);
    expect(
      count({ method: 'GET', endpoint: '/api/v1/tickets', company_id: 'none', status_code: '401' }),
    ).toBe(1);
    expect(
      count({ method: 'POST', endpoint: '/api/v1/ingest', company_id: 'acme', status_code: '202' }),
    ).toBe(1);
    for (const result of ['hit', 'stale', 'miss', 'none']) {
      expect({
        result,
        count: count({
          method: 'POST',
          endpoint: '/api/v1/search',
          company_id: 'acme',
          cache_result: result,
        }),
      }).toEqual({ result, count: searchCacheResults.filter((r) => r === result).length });
    }
    // Routes that set no X-Cache are `none`.
    expect(count({ endpoint: '/api/v1/tickets', cache_result: 'none' })).toBe(
      count({ endpoint: '/api/v1/tickets' }),
    );
    // The histogram counts what was observed: +Inf bucket equals _count.
    for (const s of find(samples, 'http_request_duration_seconds_count', {})) {
      expect(
        find(samples, 'http_request_duration_seconds_bucket', { ...s.labels, le: '+Inf' })[0].value,
      ).toBe(s.value);
    }
  });

  it('has the budgets as bucket bounds', () => {
    const bounds = new Set(find(samples, 'http_request_duration_seconds_bucket', {}).map((s) => s.labels.le));
    for (const le of [
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2',
      '3',
      '5',
      '10',
      '+Inf',
    ]) {
      expect(bounds).toContain(le);
    }
  });

  it('records LLM calls from indexing, search and the streamed reply: tokens, cost equal to the ledger, TTFT', () => {
    const chat = { provider: 'openai', model: 'gpt-4o-mini' };
    const embed = { provider: 'openai', model: 'text-embedding-3-small' };
    expect(
      sum(find(samples, 'llm_requests_total', { ...chat, company_id: 'acme', status: 'success' })),
    ).toBeGreaterThan(0);
    expect(
      sum(find(samples, 'llm_requests_total', { ...chat, company_id: 'globex', status: 'success' })),
    ).toBeGreaterThan(0);
    expect(
      sum(find(samples, 'llm_requests_total', { ...embed, company_id: 'acme', status: 'success' })),
    ).toBeGreaterThan(0);
    for (const tokenType of ['prompt', 'completion']) {
      expect(sum(find(samples, 'llm_token_usage_total', { ...chat, token_type: tokenType }))).toBeGreaterThan(
        0,
      );
    }
    expect(
      sum(find(samples, 'llm_token_usage_total', { ...embed, token_type: 'embedding' })),
    ).toBeGreaterThan(0);
    const ledger = t.app.get(UsageLedger).sum();
    expect(sum(find(samples, 'llm_cost_usd_total', {}))).toBeCloseTo(ledger.costUsd, 10);
    expect(sum(find(samples, 'llm_token_usage_total', { token_type: 'prompt' }))).toBe(ledger.promptTokens);
    // Every call is timed, and the service's overhead is observed for each.
    expect(sum(find(samples, 'llm_request_duration_seconds_count', {}))).toBe(
      sum(find(samples, 'llm_requests_total', {})),
    );
    expect(sum(find(samples, 'llm_overhead_seconds_count', {}))).toBe(
      sum(find(samples, 'llm_requests_total', {})),
    );
    expect(
      sum(find(samples, 'llm_time_to_first_token_seconds_count', { company_id: 'acme' })),
    ).toBeGreaterThanOrEqual(1);
    expect(sum(find(samples, 'active_sessions_current', { company_id: 'acme' }))).toBeGreaterThanOrEqual(1);
  });

  it('records the injected LLM failure as an error of the embeddings upstream, breaker still closed', () => {
    expect(
      sum(
        find(samples, 'llm_requests_total', {
          provider: 'openai',
          model: 'text-embedding-3-small',
          company_id: 'acme',
          status: 'error',
        }),
      ),
    ).toBe(1);
    expect(find(samples, 'circuit_breaker_state', { upstream: 'openai-embeddings' })[0]?.value).toBe(0);
    expect(find(samples, 'circuit_breaker_state', { upstream: 'openai-chat' })[0]?.value).toBe(0);
  });

  it('times vector searches per company and collection, with their result counts', () => {
    const tickets = { company_id: 'acme', collection: 'tickets' };
    expect(sum(find(samples, 'vector_search_duration_seconds_count', tickets))).toBeGreaterThan(0);
    expect(sum(find(samples, 'vector_search_results_count_sum', tickets))).toBeGreaterThan(0);
    const collections = new Set(
      find(samples, 'vector_search_duration_seconds_count', {}).map((s) => s.labels.collection),
    );
    for (const c of collections) expect(['tickets', 'articles']).toContain(c);
  });

  it('records the ingest job, its items, and the queue depth', () => {
    expect(ingestState).toBe('completed');
    expect(
      find(samples, 'job_duration_seconds_count', { queue: 'ingest', job: 'ingest-range' })[0]?.value,
    ).toBe(1);
    expect(
      find(samples, 'job_duration_seconds_count', { queue: 'ingest', job: 'index-changes' })[0]?.value,
    ).toBeGreaterThan(0);
    expect(
      find(samples, 'queue_items_processed_total', { queue: 'ingest' })[0]?.value,
    ).toBeGreaterThanOrEqual(3);
    expect(find(samples, 'queue_items_failed_total', { queue: 'ingest' })[0]?.value).toBe(0);
    const states = new Set(
      find(samples, 'queue_jobs_current', { queue: 'ingest' }).map((s) => s.labels.state),
    );
    for (const state of ['waiting', 'active', 'completed', 'failed']) expect(states).toContain(state);
  });

  it('records cache operations per layer and the LLM cost the cache avoided', () => {
    expect(sum(find(samples, 'llm_cost_avoided_usd_total', { company_id: 'acme' }))).toBeGreaterThan(0);
    const hitRates = find(samples, 'cache_hit_rate_percent', { company_id: 'acme' });
    expect(hitRates.length).toBeGreaterThan(0);
    for (const s of hitRates) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(Math.max(...hitRates.map((s) => s.value))).toBeGreaterThan(0);
    expect(sum(find(samples, 'cache_operations_total', { operation: 'get' }))).toBeGreaterThan(0);
    for (const s of find(samples, 'cache_operations_total', {})) {
      expect(['hit', 'stale', 'miss', 'ok', 'error']).toContain(s.labels.result);
      expect(['llm', 'vector', 'session', 'api', 'prefs', 'embedding']).toContain(s.labels.cache_type);
    }
  });

  it('times database queries by statement type, labelled with the request company', () => {
    expect(
      find(samples, 'db_query_duration_seconds_count', { query_type: 'select', company_id: 'acme' })[0]
        ?.value,
    ).toBeGreaterThan(0);
    expect(
      find(samples, 'db_query_duration_seconds_count', { query_type: 'insert', company_id: 'globex' })[0]
        ?.value,
    ).toBeGreaterThan(0);
    const types = new Set(
      find(samples, 'db_query_duration_seconds_count', {}).map((s) => s.labels.query_type),
    );
    for (const type of types) expect(['select', 'insert', 'update', 'delete', 'other']).toContain(type);
  });

  it('never uses a raw URL, id, query or key as a label value', () => {
    for (const s of samples) {
      for (const value of Object.values(s.labels)) {
        expect(value).not.toContain(secretTicketId);
        expect(value).not.toMatch(/abc123|no-such-route|\?|limit=|sk-|Bearer|refund|zebra|T-\d/);
        expect(value).not.toContain(acmeKey);
      }
    }
    const endpoints = new Set(
      find(samples, 'http_request_duration_seconds_count', {}).map((s) => s.labels.endpoint),
    );
    for (const endpoint of endpoints) expect(endpoint).toMatch(/^(unmatched|\/[a-z0-9/_:-]*)$/);
    const companies = new Set(samples.filter((s) => s.labels.company_id).map((s) => s.labels.company_id));
    expect(companies).toEqual(new Set(['acme', 'globex', 'none']));
  });

  (PROMTOOL || process.env.CI ? it : it.skip)('passes promtool check metrics without a warning', () => {
    expect(promtoolCheckMetrics(text)).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});

describe('company_id label with 500 companies sending traffic (top:20, the default)', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('names 20 companies, folds the other 480 into `other`, and keeps the scrape bounded', async () => {
    t = await startTestApp('sqlite');
    const keys: string[] = [];
    for (let i = 0; i < 500; i++) keys.push(await t.createCompany(`tenant-${String(i).padStart(3, '0')}`));
    for (const key of keys) {
      expect((await t.request({ method: 'GET', url: '/api/v1/tickets', key })).status).toBe(200);
    }
    const res = await t.scrapeMetrics();
    const after = parse(res.text);
    const listSeries = find(after, 'http_request_duration_seconds_count', {
      method: 'GET',
      endpoint: '/api/v1/tickets',
      status_code: '200',
    });
    expect(listSeries).toHaveLength(21);
    expect(sum(listSeries)).toBe(500);
    expect(listSeries.find((s) => s.labels.company_id === 'other')?.value).toBe(480);
    const companies = new Set(after.filter((s) => s.labels.company_id).map((s) => s.labels.company_id));
    expect(companies.size).toBe(22);
    expect(companies).toContain('none');
    // Every sample line is one series: with 500 tenants the whole scrape stays in the hundreds.
    const series = after.length;
    expect(series).toBeLessThan(1_500);
    if (PROMTOOL || process.env.CI)
      expect(promtoolCheckMetrics(res.text)).toEqual({ status: 0, stdout: '', stderr: '' });
  }, 120_000);
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(join(__dirname, '../../ops/grafana/dashboards/support-copilot.json'), 'utf8'),
  ) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('queries only metrics the service exports', () => {
    const known = new Set([...Object.keys(FAMILIES), 'nodejs_eventloop_lag_p99_seconds']);
    const unknown = exprs.flatMap((expr) =>
      [
        ...expr.matchAll(
          /\b[a-z_]+_(?:seconds|total|count|percent|bytes|current|state)(?:_bucket|_sum|_count)?\b/g,
        ),
      ]
        .map(([name]) => name)
        .filter((name) => !known.has(name) && !known.has(name.replace(HISTOGRAM_SUFFIX, ''))),
    );
    expect(exprs.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });

  (PROMTOOL || process.env.CI ? it : it.skip)('has PromQL that promtool parses', () => {
    if (!PROMTOOL) throw new Error('promtool is not on PATH; CI installs it (Debian package prometheus)');
    const dir = mkdtempSync(join(tmpdir(), 'sc-dash-'));
    const rules = [
      'groups:',
      '  - name: dashboard',
      '    rules:',
      ...exprs.flatMap((expr, i) => [
        `      - record: dashboard_expr_${i}`,
        `        expr: ${JSON.stringify(
          expr
            .replace(/\$__rate_interval/g, '5m')
            .replace(/\$__range/g, '3h')
            .replace(/\$company/g, '.*'),
        )}`,
      ]),
    ];
    writeFileSync(join(dir, 'rules.yml'), rules.join('\n') + '\n');
    const check = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('GET /metrics on the worker role and when disabled', () => {
  it('is served for the worker role too (on its METRICS_PORT in production)', async () => {
    // Split roles share vectors through Qdrant (they refuse to start without it).
    const qdrant = await new FakeQdrantServer().start();
    const worker = await startTestApp('sqlite', { APP_ROLE: 'worker', QDRANT_URL: qdrant.url });
    try {
      const res = await worker.scrapeMetrics();
      expect(res.status).toBe(200);
      expect(res.text).toContain('# TYPE job_duration_seconds histogram');
    } finally {
      await worker.close();
      await qdrant.stop();
    }
  });

  it('has no metrics listener with METRICS_ENABLED=false', async () => {
    const off = await startTestApp('sqlite', { METRICS_ENABLED: 'false' });
    try {
      expect(await createMetricsServer(off.app, off.config)).toBeUndefined();
      expect((await off.request({ method: 'GET', url: '/metrics' })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('the metrics listener (real ports)', () => {
  const listen = async (env: Record<string, string>) => {
    const t = await startTestApp('sqlite', env);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const server = await createMetricsServer(t.app, t.config);
    if (!server) throw new Error('metrics are enabled by default');
    await server.listen({ port: 0, host: '127.0.0.1' });
    const base = (app: typeof server) => {
      const address = app.getHttpServer().address();
      if (!address || typeof address === 'string') throw new Error('no port');
      return `http://127.0.0.1:${address.port}`;
    };
    return { t, server, api: base(t.app), metrics: base(server) };
  };

  it('serves /metrics on METRICS_PORT only: 404 on the API port', async () => {
    const { t, server, api, metrics } = await listen({});
    try {
      expect((await fetch(`${api}/metrics`)).status).toBe(404);
      const scrape = await fetch(`${metrics}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await scrape.text()).toContain('# TYPE http_request_duration_seconds histogram');
      expect((await fetch(`${metrics}/api/v1/tickets`)).status).toBe(404);
    } finally {
      await server.close();
      await t.close();
    }
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789';
    const { t, server, metrics } = await listen({ METRICS_TOKEN: token });
    try {
      const anonymous = await fetch(`${metrics}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await fetch(`${metrics}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const allowed = await fetch(`${metrics}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('http_request_duration_seconds');
    } finally {
      await server.close();
      await t.close();
    }
  });
});

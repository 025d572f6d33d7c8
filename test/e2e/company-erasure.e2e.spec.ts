import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CompanyErasureService } from '../../src/modules/erasure/company-erasure.service';
import { LexicalIndex } from '../../src/modules/search/ports/lexical-index.port';
import { VectorIndex } from '../../src/modules/search/ports/vector-index.port';
import { CacheStore } from '../../src/modules/cache-store/ports/cache-store.port';
import { JobQueue } from '../../src/modules/jobs/ports/job-queue.port';
import { articleFactory, ticketFactory } from '../factories/ticket.factory';
import { FakeQdrantServer } from '../fakes/qdrant.fake-server';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Tables kept on purpose when a company is erased: the audit trail (README, data lifecycle). */
const RETAINED_TABLES = new Set(['audit_log']);

const GONE = 'era-gone';
const KEPT = 'era-kept';
const services = Boolean(process.env.REDIS_URL && process.env.QUEUE_REDIS_URL);

/**
 * Erasing a company in both modes (embedded: SQLite, memory cache, embedded vectors, in-process queue; services:
 * PostgreSQL, Redis, Bull, and a second API instance sharing them). After the erasure an independent sweep of
 * every table with a company_id column (enumerated from the schema), Redis (SCAN), the vector and keyword
 * indexes, the data folder and the queue finds nothing of the company; the other company is untouched.
 */
describe.each(dbTargets())('erasing a company (%s)', (target) => {
  let t: TestApp;
  let second: TestApp | undefined;
  let goneKey: string;
  let keptKey: string;
  let redis: Redis | undefined;
  let queueRedis: Redis | undefined;
  let ingestJobs: Record<string, string>;
  let qdrant: FakeQdrantServer | undefined;

  const tickets = (prefix: string) =>
    Array.from({ length: 12 }, (_, i) =>
      ticketFactory({
        ticket_id: `${prefix}-${i}`,
        subject: `Refund ${i} not received for order ${prefix}`,
        status: i === 0 ? 'open' : 'resolved',
      }),
    );
  const articles = (prefix: string) => [
    articleFactory({ article_id: `${prefix}-KB`, title: 'How refunds work' }),
  ];
  const db = () => t.app.get(DataSource);

  /** Every table with a company_id column, read from the live schema: a new table cannot be missed. */
  async function companyTables(): Promise<string[]> {
    const rows: Array<{ name: string }> =
      target === 'postgres'
        ? await db().query(
            `SELECT table_name AS name FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_name = 'company_id'`,
          )
        : await db().query(
            `SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND p.name = 'company_id'`,
          );
    return rows.map((r) => r.name).sort();
  }

  async function tableCounts(companyId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of await companyTables()) {
      if (RETAINED_TABLES.has(table)) continue;
      const rows: Array<{ n: number | string }> = await db().query(
        `SELECT count(*) AS n FROM ${table} WHERE company_id = ${target === 'postgres' ? '$1' : '?'}`,
        [companyId],
      );
      out[table] = Number(rows[0].n);
    }
    const company: Array<{ n: number | string }> = await db().query(
      `SELECT count(*) AS n FROM company WHERE id = ${target === 'postgres' ? '$1' : '?'}`,
      [companyId],
    );
    out.company = Number(company[0].n);
    return out;
  }

  /** Redis keys (cache and queue databases) naming the company, or jobs whose payload names it: SCAN only. */
  async function redisResidue(companyId: string): Promise<string[]> {
    const found: string[] = [];
    const sweep = async (client: Redis, prefix: string, inspectJobs: boolean) => {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) {
          if (key.includes(`:${companyId}:`) || key.endsWith(`:${companyId}`)) found.push(key);
          const type = await client.type(key);
          if (type === 'zset' && (await client.zscore(key, companyId)) !== null)
            found.push(`${key} ∋ ${companyId}`);
          if (inspectJobs && type === 'hash') {
            const data = await client.hget(key, 'data');
            if (data?.includes(`"companyId":"${companyId}"`)) found.push(`${key} (job payload)`);
          }
        }
      } while (cursor !== '0');
    };
    if (redis) await sweep(redis, t.config.redis.keyPrefix, false);
    if (queueRedis) await sweep(queueRedis, `${t.config.ingest.queuePrefix}:`, true);
    return found;
  }

  /** Files under the data folder named after the company (vector partitions, keyword partitions). */
  async function filesOf(companyId: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.startsWith(`${companyId}.`)) out.push(full);
      }
    };
    await walk(t.dataDir);
    return out;
  }

  async function storeCounts(companyId: string) {
    const vectors = t.app.get(VectorIndex);
    const lexical = t.app.get(LexicalIndex);
    let cacheKeys = 0;
    for await (const batch of t.app.get(CacheStore).scan('', 1_000)) {
      cacheKeys += batch.filter((k) => k.includes(`:${companyId}:`)).length;
    }
    return {
      vectors:
        (await vectors.count({ companyId, type: 'ticket' })) +
        (await vectors.count({ companyId, type: 'article' })),
      keyword_hits: (await lexical.search({ companyId, type: 'ticket', query: 'refund order', k: 100 }))
        .length,
      cache_keys: cacheKeys,
      files: (await filesOf(companyId)).length,
    };
  }

  const search = (key: string, app: TestApp = t) =>
    app.request({
      method: 'POST',
      url: '/api/v1/search',
      key,
      body: { query: 'refund not received', data_types: ['tickets', 'articles'], limit: 20 },
    });

  beforeAll(async () => {
    // Services mode: two instances share vectors through Qdrant (its HTTP double), so the Qdrant adapter's
    // company delete is exercised here; embedded mode uses the embedded index.
    const twoInstances = services && target === 'postgres';
    if (twoInstances) qdrant = await new FakeQdrantServer().start();
    t = await startTestApp(target, {
      RECONCILE_INTERVAL_MS: '600000',
      ...(qdrant ? { QDRANT_URL: qdrant.url } : {}),
    });
    if (twoInstances) {
      // A second API instance on the same database schema, Redis prefix, queue and Qdrant.
      second = await startTestApp(target, {
        APP_ROLE: 'api',
        QDRANT_URL: qdrant!.url,
        DATABASE_SCHEMA: (t.config.database as { schema: string }).schema,
        REDIS_KEY_PREFIX: t.config.redis.keyPrefix,
        QUEUE_PREFIX: t.config.ingest.queuePrefix,
      });
    }
    if (process.env.REDIS_URL) redis = new Redis(process.env.REDIS_URL, { lazyConnect: true });
    if (process.env.QUEUE_REDIS_URL)
      queueRedis = new Redis(process.env.QUEUE_REDIS_URL, { lazyConnect: true });
    goneKey = await t.createCompany(GONE);
    keptKey = await t.createCompany(KEPT);
    ingestJobs = {};
    for (const [key, prefix] of [
      [goneKey, 'G'],
      [keptKey, 'K'],
    ] as const) {
      expect(
        (await t.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: tickets(prefix) } }))
          .status,
      ).toBe(200);
      expect(
        (
          await t.request({
            method: 'PUT',
            url: '/api/v1/articles',
            key,
            body: { articles: articles(prefix) },
          })
        ).status,
      ).toBe(200);
    }
    for (const [key, prefix] of [
      [goneKey, 'G'],
      [keptKey, 'K'],
    ] as const) {
      for (const ticket of tickets(prefix)) {
        await waitFor(
          async () =>
            (await t.request({ method: 'GET', url: `/api/v1/tickets/${ticket.ticket_id}`, key })).body
              ?.index_state === 'indexed',
          90_000,
          `${ticket.ticket_id} indexed`,
        );
      }
      // A tombstone (deleted_item), cache entries, a session with a question, an ingest job with its result.
      expect((await t.request({ method: 'DELETE', url: `/api/v1/tickets/${prefix}-11`, key })).status).toBe(
        204,
      );
      await waitFor(async () => (await search(key)).body?.results?.length > 0, 60_000, 'searchable');
      const init = await t.request({
        method: 'POST',
        url: '/api/v1/init',
        key,
        body: { ticket_id: `${prefix}-0` },
      });
      expect(init.status).toBe(200);
      const query = await t.request({
        method: 'POST',
        url: '/api/v1/query',
        key,
        body: { query: 'How long will this refund take?', session_id: init.body.session_id },
      });
      expect(query.status).toBe(200);
      const ingest = await t.request({
        method: 'POST',
        url: '/api/v1/ingest',
        key,
        body: { start_date: '2000-01-01', end_date: '2099-12-31' },
      });
      expect(ingest.status).toBe(202);
      ingestJobs[prefix] = ingest.body.job_id;
      await waitFor(
        async () =>
          (await t.request({ method: 'GET', url: `/api/v1/ingest/${ingest.body.job_id}`, key })).body
            ?.state === 'completed',
        60_000,
        'ingest job done',
      );
      // Articles and the deleted ticket's purge are indexed by their own jobs: counts are taken once they settle
      // (the live tickets and the article each hold one vector).
      const companyId = prefix === 'G' ? GONE : KEPT;
      const settled = tickets(prefix).length - 1 + articles(prefix).length;
      await waitFor(async () => (await storeCounts(companyId)).vectors === settled, 60_000, 'vectors settled');
    }
  }, 300_000);

  afterAll(async () => {
    redis?.disconnect();
    queueRedis?.disconnect();
    await second?.close();
    await t?.close();
    await qdrant?.stop();
  });

  it('revokes the keys at once, erases every store, and leaves the other company untouched', async () => {
    const tables = await companyTables();
    expect(tables).toEqual(expect.arrayContaining(['api_key', 'article', 'deleted_item', 'ticket']));
    const keptBefore = { tables: await tableCounts(KEPT), stores: await storeCounts(KEPT) };
    const goneBefore = { tables: await tableCounts(GONE), stores: await storeCounts(GONE) };
    expect(goneBefore.tables.ticket).toBe(11);
    expect(goneBefore.tables.deleted_item).toBe(1);
    expect(goneBefore.stores.vectors).toBeGreaterThan(0);
    expect(goneBefore.stores.cache_keys).toBeGreaterThan(0);
    if (redis) expect((await redisResidue(GONE)).length).toBeGreaterThan(0);
    // The second instance has the key cached as valid.
    if (second) expect((await search(goneKey, second)).status).toBe(200);

    const res = await t.request({
      method: 'DELETE',
      url: `/api/v1/admin/companies/${GONE}`,
      key: TEST_ADMIN_KEY,
    });
    const requestedAt = Date.now();
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ job_id: `erase-company:${GONE}` });

    // At once on the instance that revoked; within the auth cache's second on the other one.
    expect((await search(goneKey)).status).toBe(401);
    if (second) {
      await waitFor(
        async () => (await search(goneKey, second)).status === 401,
        5_000,
        'revoked on the second instance',
      );
      const revokedAfterMs = Date.now() - requestedAt;
      // authCacheTtlMs is 1 s; the rest is slack for a loaded machine.
      expect(revokedAfterMs).toBeLessThan(t.config.app.authCacheTtlMs + 1_000);
    }
    // A second request joins the erasure; a new key is refused meanwhile.
    const again = await t.request({
      method: 'DELETE',
      url: `/api/v1/admin/companies/${GONE}`,
      key: TEST_ADMIN_KEY,
    });
    expect([202, 404]).toContain(again.status);
    const issue = await t.request({
      method: 'POST',
      url: `/api/v1/admin/companies/${GONE}/api-keys`,
      key: TEST_ADMIN_KEY,
    });
    expect([404, 409]).toContain(issue.status);

    let status: { state: string; report: Record<string, number> | null } = { state: '', report: null };
    await waitFor(
      async () => {
        const r = await t.request({
          method: 'GET',
          url: `/api/v1/admin/companies/${GONE}/erasure`,
          key: TEST_ADMIN_KEY,
        });
        status = r.body;
        return r.status === 200 && r.body.state === 'completed';
      },
      120_000,
      'erasure completed',
    );
    expect(status.report).toEqual({
      rows: expect.any(Number),
      vectors: expect.any(Number),
      cache_keys: expect.any(Number),
      jobs: expect.any(Number),
      keys: 1,
    });
    expect(status.report!.rows).toBeGreaterThanOrEqual(11 + 1 + 1 + 1);
    expect(status.report!.vectors).toBe(goneBefore.stores.vectors);
    expect(status.report!.cache_keys).toBeGreaterThan(0);
    expect(status.report!.jobs).toBeGreaterThanOrEqual(1);

    // Every eraser's own sweep (the erase job itself leaves the queue right after it completes).
    const erasure = t.app.get(CompanyErasureService);
    const erasers = erasure.erasers();
    expect(erasers.map((e) => e.store)).toEqual(
      expect.arrayContaining([
        'api_keys',
        'cache',
        'company',
        'deleted_items',
        'jobs',
        'popularity',
        'search_index',
        'tickets',
        'usage_ledger',
      ]),
    );
    await waitFor(
      async () => Object.values(await erasure.residue(erasers, GONE)).every((n) => n === 0),
      10_000,
      'no residue in any eraser',
    );

    // The independent sweep.
    expect(Object.values(await tableCounts(GONE)).every((n) => n === 0)).toBe(true);
    expect(await storeCounts(GONE)).toEqual({ vectors: 0, keyword_hits: 0, cache_keys: 0, files: 0 });
    if (redis || queueRedis)
      await waitFor(async () => (await redisResidue(GONE)).length === 0, 10_000, 'no Redis residue');
    expect(await t.app.get(JobQueue).getJob(ingestJobs.G)).toBeNull();

    // The other company: the same counts, its key and its jobs work.
    expect(await tableCounts(KEPT)).toEqual(keptBefore.tables);
    const keptAfter = await storeCounts(KEPT);
    // Cache entries expire and partitions are flushed to disk on their own schedule: the data itself is compared.
    expect({ vectors: keptAfter.vectors, keyword_hits: keptAfter.keyword_hits }).toEqual({
      vectors: keptBefore.stores.vectors,
      keyword_hits: keptBefore.stores.keyword_hits,
    });
    expect((await search(keptKey)).status).toBe(200);
    expect((await search(keptKey)).body.results.length).toBeGreaterThan(0);
    if (second) expect((await search(keptKey, second)).status).toBe(200);
    expect(await t.app.get(JobQueue).getJob(ingestJobs.K)).not.toBeNull();

    // The erased company's key stays refused; the company is gone; the audit trail keeps the erasure.
    expect((await search(goneKey)).status).toBe(401);
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/admin/companies/${GONE}`, key: TEST_ADMIN_KEY }))
        .status,
    ).toBe(404);
    const audit = await t.request({
      method: 'GET',
      url: `/api/v1/admin/audit?company_id=${GONE}&action=company.erased`,
      key: TEST_ADMIN_KEY,
    });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].details.report).toEqual(status.report);
  }, 240_000);

  it('answers 404 for an unknown company, and tenant keys cannot erase', async () => {
    expect(
      (await t.request({ method: 'DELETE', url: '/api/v1/admin/companies/nobody', key: TEST_ADMIN_KEY }))
        .status,
    ).toBe(404);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/admin/companies/nobody/erasure', key: TEST_ADMIN_KEY }))
        .status,
    ).toBe(404);
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/admin/companies/${KEPT}`, key: keptKey })).status,
    ).toBe(403);
  });
});

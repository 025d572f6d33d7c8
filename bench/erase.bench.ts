/**
 * Company erasure benchmark: a company of 200,000 generated tickets (the project's generator, indexed through
 * the real pipeline: PUT /api/v1/tickets, summaries, vectors, keyword index) is erased with
 * DELETE /api/v1/admin/companies/{id} while another company's searches run at a steady rate. Reports the
 * erasure time, the other company's p99 during the erasure against its p99 without it, and the residue an
 * independent sweep finds afterwards (PostgreSQL: every table with a company_id column, read from the schema;
 * Redis: SCAN of the deployment's key and queue prefixes, job payloads included; the vector store).
 *
 *   npm run bench:erase                 # 200,000 tickets erased, other company 10,000
 *   npm run bench:erase -- --quick      # 20,000 tickets erased, other company 2,000
 *   npm run bench:erase -- --size=50000 --json out.json
 *
 * Services mode: PostgreSQL (a fresh schema in $DATABASE_URL), Redis ($REDIS_URL / $QUEUE_REDIS_URL, own
 * prefixes), the Qdrant double in a child process (the machine has no Qdrant), API and worker as separate
 * processes. Local models (hashing embedder, extractive summaries).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { generateTickets, inBatches } from '../src/cli/generate/support-data.generator';
import { AppProcess, BENCH_ADMIN_KEY, createCompany, freePort, ROOT, spawnApp } from './lib/app-process';
import { BenchRow, emitResult, info, parseBenchArgs, round, verdict } from './lib/bench-output';
import { httpCall, keepAliveAgent, parseJson, sleep } from './lib/http-client';
import { percentile } from './lib/stats';
import { startQdrantDouble } from './lib/qdrant-double-process';
import { steadyLoad } from './lib/steady-load';

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const QUEUE_REDIS_URL = process.env.QUEUE_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const ERASED = 'bench-erased';
const OTHER = 'bench-other';
/** Tables kept on purpose by an erasure (the audit trail); every other table with company_id must be empty. */
const RETAINED_TABLES = new Set(['audit_log']);
/** Requests per second of the other company. */
const LOAD_RATE = Number(arg('rate') ?? 10);
const P99_RATIO_LIMIT = 1.2;

function arg(name: string): string | undefined {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, apps: AppProcess[]) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    for (const app of apps)
      if (app.child.exitCode !== null) throw new Error(`${what}: an app exited\n${app.output()}`);
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not done in ${timeoutMs} ms\n${apps.map((a) => a.output().slice(-1500)).join('\n---\n')}`,
      );
    await sleep(500);
  }
}

async function putTickets(input: { port: number; key: string; size: number; seed: number }): Promise<void> {
  const agent = keepAliveAgent(2);
  const batches = inBatches(generateTickets(input.size, { seed: input.seed }), 1_000);
  const sender = async () => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const res = await httpCall({
        port: input.port,
        method: 'PUT',
        path: '/api/v1/tickets',
        key: input.key,
        body: { tickets: next.value },
        agent,
        timeoutMs: 120_000,
      });
      if (res.status !== 200) throw new Error(`PUT /api/v1/tickets: ${res.status} ${res.body.slice(0, 300)}`);
    }
  };
  await Promise.all([sender(), sender()]);
}

/**
 * The other company's traffic: ticket reads (a page of the list, one ticket by id) and searches, round robin.
 * Reads hit the database the erasure deletes from (where the two compete); one request in ten is a search (a new
 * question each time, so a cache miss), which also goes to the vector store: the Qdrant double searches by brute
 * force, so its cost follows the collection's size, an artifact of the double rather than of Qdrant.
 */
function otherLoad(port: number, key: string, ticketIds: string[]) {
  const topics = ['refund', 'login', 'shipping', 'invoice', 'password', 'delivery', 'charge', 'account'];
  return steadyLoad({
    port,
    key,
    rate: LOAD_RATE,
    timeoutMs: 10_000,
    requests: Array.from({ length: 4_000 }, (_, i) =>
      i % 10 === 9
        ? {
            route: 'search',
            method: 'POST' as const,
            path: '/api/v1/search',
            body: {
              query: `${topics[i % topics.length]} problem ${i} ${randomBytes(3).toString('hex')}`,
              limit: 10,
            },
          }
        : i % 2 === 0
          ? { route: 'list', method: 'GET' as const, path: '/api/v1/tickets?limit=20' }
          : {
              route: 'get',
              method: 'GET' as const,
              path: `/api/v1/tickets/${encodeURIComponent(ticketIds[i % ticketIds.length])}`,
            },
    ),
  });
}

function p99Of(samples: Array<{ ms: number; status: number; route: string }>) {
  const ok = samples.filter((s) => s.status === 200).map((s) => s.ms);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    p99: percentile(ok, 99),
    p50: percentile(ok, 50),
    n: samples.length,
    failed: samples.length - ok.length,
    statuses,
  };
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const size = Number(arg('size') ?? (args.quick ? 20_000 : 200_000));
  const otherSize = args.quick ? 2_000 : 10_000;
  const loadSeconds = args.quick ? 20 : 45;

  const schema = `bench_erase_${randomBytes(4).toString('hex')}`;
  const pg = new Client({ connectionString: PG_URL });
  await pg.connect();
  await pg.query(`CREATE SCHEMA ${schema}`);
  const qdrant = await startQdrantDouble();
  const prefix = `bench-erase-${randomBytes(3).toString('hex')}`;
  const env = {
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_MS: '600000',
    ASSIST_PREFETCH_ENABLED: 'false',
    DATABASE_URL: PG_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    QUEUE_REDIS_URL,
    QUEUE_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}:`,
    QDRANT_URL: qdrant.url,
    QDRANT_TIMEOUT_MS: '60000',
    QDRANT_COLLECTION_PREFIX: prefix.replace(/[^a-z0-9_-]/g, ''),
  };
  const redis = new Redis(REDIS_URL);
  const queueRedis = new Redis(QUEUE_REDIS_URL);
  const apps: AppProcess[] = [];
  try {
    // Metrics listeners on free ports: another process on this shared machine may hold the default one.
    const api = await spawnApp({ env: { ...env, APP_ROLE: 'api', METRICS_PORT: String(await freePort()) } });
    apps.push(api);
    const workerPort = await freePort();
    apps.push(
      await spawnApp({
        port: workerPort,
        env: {
          ...env,
          APP_ROLE: 'worker',
          WORKER_PORT: String(workerPort),
          METRICS_PORT: String(await freePort()),
        },
      }),
    );

    const erasedKey = await createCompany(api.port, ERASED);
    const otherKey = await createCompany(api.port, OTHER);
    const loadStarted = performance.now();
    await putTickets({ port: api.port, key: otherKey, size: otherSize, seed: 7 });
    await putTickets({ port: api.port, key: erasedKey, size, seed: 11 });
    await waitUntil(
      async () =>
        (await pg.query(`SELECT EXISTS (SELECT 1 FROM ${schema}.ticket WHERE index_state = 'pending') AS p`))
          .rows[0].p === false,
      'indexing',
      Math.max(300_000, size * 30),
      apps,
    );
    const loadSeconds_ = (performance.now() - loadStarted) / 1000;
    const countRows = async (companyId: string) =>
      Number(
        (await pg.query(`SELECT count(*) AS n FROM ${schema}.ticket WHERE company_id = $1`, [companyId]))
          .rows[0].n,
      );
    const erasedTickets = await countRows(ERASED);
    const otherBefore = await countRows(OTHER);
    console.log(`indexed ${erasedTickets} + ${otherBefore} tickets in ${round(loadSeconds_)} s`);

    const otherIds = (
      await pg.query(
        `SELECT ticket_id FROM ${schema}.ticket WHERE company_id = $1 ORDER BY ticket_id LIMIT 200`,
        [OTHER],
      )
    ).rows.map((r: { ticket_id: string }) => r.ticket_id);

    // Without the erasure.
    const baseline = otherLoad(api.port, otherKey, otherIds);
    await sleep(loadSeconds * 1000);
    const baselineSamples = await baseline.stop();
    const without = p99Of(baselineSamples);

    // During the erasure: from DELETE to the completed report.
    const during = otherLoad(api.port, otherKey, otherIds);
    await sleep(2_000);
    const started = performance.now();
    const del = await httpCall({
      port: api.port,
      method: 'DELETE',
      path: `/api/v1/admin/companies/${ERASED}`,
      key: BENCH_ADMIN_KEY,
    });
    if (del.status !== 202) throw new Error(`DELETE: ${del.status} ${del.body}`);
    const duringFrom = Date.now();
    let report: Record<string, number> | undefined;
    await waitUntil(
      async () => {
        const res = await httpCall({
          port: api.port,
          method: 'GET',
          path: `/api/v1/admin/companies/${ERASED}/erasure`,
          key: BENCH_ADMIN_KEY,
        });
        const body = parseJson<{ state: string; report: Record<string, number> | null }>(res.body);
        if (body?.state === 'completed') report = body.report ?? undefined;
        return body?.state === 'completed';
      },
      'erasure',
      Math.max(300_000, size * 20),
      apps,
    );
    const erasureSeconds = (performance.now() - started) / 1000;
    const duringTo = Date.now();
    const duringSamples = (await during.stop()).filter(
      (s) => s.startedAt >= duringFrom && s.startedAt <= duringTo,
    );
    const withErasure = p99Of(duringSamples);

    // The independent sweep.
    const residue: Record<string, number> = {};
    const tables = (
      await pg.query(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'company_id'`,
        [schema],
      )
    ).rows.map((r: { table_name: string }) => r.table_name);
    for (const table of tables) {
      if (RETAINED_TABLES.has(table)) continue;
      residue[`pg.${table}`] = Number(
        (await pg.query(`SELECT count(*) AS n FROM ${schema}.${table} WHERE company_id = $1`, [ERASED]))
          .rows[0].n,
      );
    }
    residue['pg.company'] = Number(
      (await pg.query(`SELECT count(*) AS n FROM ${schema}.company WHERE id = $1`, [ERASED])).rows[0].n,
    );
    residue.redis = await scanResidue(redis, `${prefix}:`, false);
    residue.queue = await scanResidue(queueRedis, `${prefix}:`, true);
    residue.vectors = 0;
    for (const type of ['tickets', 'articles']) {
      const res = await fetch(
        `${qdrant.url}/collections/${env.QDRANT_COLLECTION_PREFIX}${type}/points/count`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            filter: { must: [{ key: 'company_id', match: { value: ERASED } }] },
            exact: true,
          }),
        },
      );
      if (res.ok) residue.vectors += ((await res.json()) as { result: { count: number } }).result.count;
    }
    const residueTotal = Object.values(residue).reduce((a, b) => a + b, 0);
    const otherAfter = await countRows(OTHER);
    const otherKeyWorks =
      (await httpCall({ port: api.port, method: 'GET', path: '/api/v1/tickets?limit=1', key: otherKey }))
        .status === 200;
    const erasedKeyStatus = (
      await httpCall({ port: api.port, method: 'GET', path: '/api/v1/tickets?limit=1', key: erasedKey })
    ).status;

    const ratio = withErasure.p99 / without.p99;
    const reads = (samples: Array<{ ms: number; status: number; route: string }>) =>
      samples.filter((x) => x.route !== 'search');
    const readsWithout = p99Of(reads(baselineSamples));
    const readsDuring = p99Of(reads(duringSamples));
    const readsRatio = readsDuring.p99 / readsWithout.p99;
    const rows: BenchRow[] = [
      info({ name: `erased company tickets`, value: erasedTickets, unit: 'tickets' }),
      info({ name: 'erasure time (DELETE to completed report)', value: erasureSeconds, unit: 's' }),
      info({ name: 'erasure rate', value: erasedTickets / erasureSeconds, unit: 'tickets/s' }),
      info({ name: 'report', value: JSON.stringify(report ?? {}), unit: '' }),
      info({
        name: `other company p99 without erasure (${without.n} requests, statuses ${JSON.stringify(without.statuses)})`,
        value: without.p99,
        unit: 'ms',
      }),
      info({
        name: `other company p99 during erasure (${withErasure.n} requests, statuses ${JSON.stringify(withErasure.statuses)})`,
        value: withErasure.p99,
        unit: 'ms',
      }),
      info({
        name: 'other company p50 without / during erasure',
        value: `${round(without.p50)} / ${round(withErasure.p50)}`,
        unit: 'ms',
      }),
      info({ name: 'other company p99 during / without, all requests', value: ratio, unit: 'ratio' }),
      info({
        name: `other company ticket reads p99 without / during erasure (${readsWithout.n} / ${readsDuring.n} requests)`,
        value: `${round(readsWithout.p99)} / ${round(readsDuring.p99)}`,
        unit: 'ms',
      }),
      verdict({
        name: 'other company ticket reads p99 during / without',
        target: `≤ ${P99_RATIO_LIMIT}`,
        value: readsRatio,
        unit: 'ratio',
        pass: readsRatio <= P99_RATIO_LIMIT,
      }),
      verdict({
        name: 'other company searches failed during erasure',
        target: '0',
        value: withErasure.failed,
        unit: '',
        pass: withErasure.failed === 0,
      }),
      verdict({
        name: `sweep residue (${Object.keys(residue).join(', ')})`,
        target: '0',
        value: residueTotal,
        unit: 'items',
        pass: residueTotal === 0,
      }),
      verdict({
        name: 'other company rows unchanged',
        target: String(otherBefore),
        value: otherAfter,
        unit: 'tickets',
        pass: otherAfter === otherBefore,
      }),
      verdict({
        name: 'other company key works; erased key refused',
        target: '200 / 401',
        value: `${otherKeyWorks ? 200 : 'no'} / ${erasedKeyStatus}`,
        unit: '',
        pass: otherKeyWorks && erasedKeyStatus === 401,
      }),
    ];
    emitResult(
      {
        part: 'erase',
        rows,
        series: { residue, report, without, during: withErasure },
        notes: [
          `services mode: PostgreSQL, Redis, Bull, Qdrant double (child process); API and worker processes; ${LOAD_RATE} requests/s of the other company (ticket list, ticket by id, and one in ten a search with a new question)`,
          `p99 windows: ${loadSeconds} s without, the erasure's duration with; the machine is shared (2 cores, other sessions' tests and benches running), so p99 ratios are noisy`,
          "the verdict is on ticket reads: a search also scans the Qdrant double, whose brute-force cost falls as the erased company's points go, which would flatter the all-requests ratio",
        ],
      },
      {
        ...args,
        json:
          args.json ??
          join(ROOT, 'bench', 'results', `erase-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      },
    );
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await qdrant.stop();
    await scanDelete(redis, `${prefix}:`);
    await scanDelete(queueRedis, `${prefix}:`);
    redis.disconnect();
    queueRedis.disconnect();
    await pg.query(`DROP SCHEMA ${schema} CASCADE`);
    await pg.end();
  }
}

/** Keys under the prefix naming the erased company, a sorted set holding it, or a job payload naming it (SCAN). */
async function scanResidue(client: Redis, prefix: string, jobs: boolean): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    for (const key of keys) {
      if (key.includes(`:${ERASED}:`) || key.endsWith(`:${ERASED}`)) n += 1;
      const type = await client.type(key);
      if (type === 'zset' && (await client.zscore(key, ERASED)) !== null) n += 1;
      if (jobs && type === 'hash' && (await client.hget(key, 'data'))?.includes(`"companyId":"${ERASED}"`))
        n += 1;
    }
  } while (cursor !== '0');
  return n;
}

/** The bench's own keys only (its random prefix), SCAN + UNLINK: never FLUSHDB on the shared Redis. */
async function scanDelete(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

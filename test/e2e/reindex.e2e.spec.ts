import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketFactory } from '../factories/ticket.factory';
import { FakeOpenAiServer } from '../fakes/openai.fake-server';
import { FakeQdrantServer } from '../fakes/qdrant.fake-server';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TICKETS = [
  ticketFactory({
    ticket_id: 'T-REFUND',
    subject: 'Refund not received',
    description: 'My refund for the jacket never arrived.',
  }),
  ticketFactory({
    ticket_id: 'T-WIFI',
    subject: 'Router drops wifi',
    description: 'The wifi connection drops every hour.',
  }),
  ticketFactory({
    ticket_id: 'T-PASS',
    subject: 'Password reset email missing',
    description: 'No reset email arrives.',
  }),
];

/**
 * The embedding model changes under existing data: first indexed with the local hashing embedder (512-d), then
 * the service restarts with an OpenAI-compatible embedder (16-d on the fake). Search must keep answering from
 * keywords (never a 400: the mismatch is the server's), readiness must say "re-index needed", and the admin
 * re-index must rebuild the vectors into a new collection, switch to it and drop the old one.
 */
describe.each(['embedded', 'qdrant'] as const)('embedding model change (%s vector index)', (store) => {
  let dataDir: string;
  let qdrant: FakeQdrantServer | undefined;
  let openai: FakeOpenAiServer;
  let t: TestApp | undefined;

  beforeAll(async () => {
    openai = await FakeOpenAiServer.start({ embeddingDimension: 16 });
    if (store === 'qdrant') qdrant = await new FakeQdrantServer().start();
  });
  afterAll(async () => {
    await openai.close();
    await qdrant?.stop();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sc-reindex-'));
    qdrant?.reset();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const storeEnv = () => ({
    DATA_DIR: dataDir,
    RECONCILE_INTERVAL_MS: '600000',
    ...(qdrant ? { QDRANT_URL: qdrant.url } : {}),
  });
  const remoteEnv = () => ({
    ...storeEnv(),
    OPENAI_BASE_URL: openai.url,
    LLM_EMBEDDING_MODEL: 'text-embedding-3-small',
    LLM_EMBEDDING_DIMENSION: '16',
    LLM_BATCH_DELAY_MS: '0',
  });

  async function indexWithLocalModels(): Promise<void> {
    const first = await startTestApp('sqlite', storeEnv());
    const key = await first.createCompany('acme');
    expect(
      (await first.request({ method: 'PUT', url: '/api/v1/tickets', key, body: { tickets: TICKETS } }))
        .status,
    ).toBe(200);
    for (const ticket of TICKETS) {
      await waitFor(async () => {
        const res = await first.request({ method: 'GET', url: `/api/v1/tickets/${ticket.ticket_id}`, key });
        return res.body.index_state === 'indexed';
      });
    }
    // Closed without removing DATA_DIR: the next instance starts on the same data.
    await first.app.close();
  }

  async function keyOf(app: TestApp): Promise<string> {
    const res = await app.request({
      method: 'POST',
      url: '/api/v1/admin/companies/acme/api-keys',
      key: TEST_ADMIN_KEY,
    });
    expect(res.status).toBe(201);
    return res.body.api_key as string;
  }

  it('keeps search answering from keywords, says "re-index needed", and re-indexes into a new collection', async () => {
    await indexWithLocalModels();
    t = await startTestApp('sqlite', remoteEnv());
    const key = await keyOf(t);
    const search = () =>
      t!.request({
        method: 'POST',
        url: '/api/v1/search',
        key,
        body: { query: 'refund jacket', data_types: ['tickets'], limit: 3 },
      });

    const before = await search();
    expect(before.status).toBe(200);
    expect(before.body.degraded).toMatch(/re-index needed/);
    expect(before.body.results[0].id).toBe('T-REFUND');

    const ready = await t.request({ method: 'GET', url: '/health/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body.info.vectors).toMatchObject({ status: 'up', state: 'reindex_needed' });

    const started = await t.request({
      method: 'POST',
      url: '/api/v1/admin/reindex',
      key: TEST_ADMIN_KEY,
      body: {},
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      state: 'reindexing',
      embedder: { model: 'text-embedding-3-small', dimension: 16 },
      job_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(started.body.run.job_id).toBe(started.body.job_id);
    // An admin action: the audit log names it, with the run as its target.
    const audit = await t.request({ method: 'GET', url: '/api/v1/admin/audit', key: TEST_ADMIN_KEY });
    expect(audit.body.items[0]).toMatchObject({
      action: 'reindex.started',
      target: `reindex/${started.body.job_id}`,
    });
    await waitFor(async () => {
      const res = await t!.request({ method: 'GET', url: '/api/v1/admin/reindex', key: TEST_ADMIN_KEY });
      return res.body.state === 'current';
    });

    const after = await search();
    expect(after.status).toBe(200);
    expect(after.body.degraded).toBeUndefined();
    expect(after.body.results.map((r: { id: string }) => r.id).sort()).toEqual([
      'T-PASS',
      'T-REFUND',
      'T-WIFI',
    ]);
    expect((await t.request({ method: 'GET', url: '/health/ready' })).body.info.vectors).toMatchObject({
      state: 'current',
    });
    if (qdrant) {
      expect(qdrant.collectionNames().filter((n) => n.startsWith('tickets'))).toEqual([
        expect.stringMatching(/^tickets__/),
      ]);
      expect(qdrant.validationErrors).toEqual([]);
    } else {
      const dirs = readdirSync(join(dataDir, 'vectors')).filter((d) => d.startsWith('tickets'));
      expect(dirs).toEqual([expect.stringMatching(/^tickets@/)]);
      expect(existsSync(join(dataDir, 'vectors', 'tickets'))).toBe(false);
    }
  });

  it('refuses one company alone while the model differs; after the full re-index, one company can be redone; a restart finds it current', async () => {
    await indexWithLocalModels();
    t = await startTestApp('sqlite', remoteEnv());
    const reindex = (body: object) =>
      t!.request({ method: 'POST', url: '/api/v1/admin/reindex', key: TEST_ADMIN_KEY, body });
    const settled = () =>
      waitFor(async () => {
        const res = await t!.request({ method: 'GET', url: '/api/v1/admin/reindex', key: TEST_ADMIN_KEY });
        return res.body.state === 'current' && res.body.run?.finished_at !== undefined;
      });
    const refused = await reindex({ company_id: 'acme' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/re-index every company/);
    expect((await reindex({ company_id: 'Not Valid!' })).status).toBe(400);
    expect((await reindex({})).status).toBe(202);
    await settled();
    const one = await reindex({ company_id: 'acme' });
    expect(one.status).toBe(202);
    await settled();
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/admin/reindex', key: TEST_ADMIN_KEY })).body.run,
    ).toMatchObject({
      company_id: 'acme',
      vectors: TICKETS.length,
    });

    await t.app.close();
    t = await startTestApp('sqlite', remoteEnv());
    const key = await keyOf(t);
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/search',
      key,
      body: { query: 'wifi router', data_types: ['tickets'], limit: 3 },
    });
    expect(res.status).toBe(200);
    expect(res.body.degraded).toBeUndefined();
    // The fake's vectors carry no meaning: what counts is that every ticket is found by vectors again.
    expect(res.body.results.map((r: { id: string }) => r.id).sort()).toEqual([
      'T-PASS',
      'T-REFUND',
      'T-WIFI',
    ]);
  });
});

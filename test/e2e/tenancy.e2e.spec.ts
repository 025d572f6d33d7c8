import { ticketFactory, articleFactory } from '../factories/ticket.factory';
import { dbTargets, startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

describe.each(dbTargets())('auth and tenant isolation (%s)', (target) => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    t = await startTestApp(target, { AUTH_CACHE_TTL_MS: '200' });
    keyA = await t.createCompany('company-a');
    keyB = await t.createCompany('company-b');
    await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key: keyA,
      body: { tickets: [ticketFactory({ ticket_id: 'SECRET-1', subject: 'A only' })] },
    });
    await t.request({
      method: 'PUT',
      url: '/api/v1/articles',
      key: keyA,
      body: { articles: [articleFactory({ article_id: 'KB-A' })] },
    });
  });
  afterAll(() => t.close());

  it("never shows company A's tickets to company B", async () => {
    const one = await t.request({ method: 'GET', url: '/api/v1/tickets/SECRET-1', key: keyB });
    expect(one.status).toBe(404);
    const list = await t.request({ method: 'GET', url: '/api/v1/tickets?limit=200', key: keyB });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    // A cursor minted for A's data reveals nothing to B either.
    const listA = await t.request({ method: 'GET', url: '/api/v1/tickets?limit=1', key: keyA });
    expect(listA.body.items).toHaveLength(1);
  });

  it("lets B store the same ticket id without touching A's copy", async () => {
    const res = await t.request({
      method: 'PUT',
      url: '/api/v1/tickets',
      key: keyB,
      body: { tickets: [ticketFactory({ ticket_id: 'SECRET-1', subject: 'B version' })] },
    });
    expect(res.body).toEqual({ upserted: 1, unchanged: 0 });
    const a = await t.request({ method: 'GET', url: '/api/v1/tickets/SECRET-1', key: keyA });
    const b = await t.request({ method: 'GET', url: '/api/v1/tickets/SECRET-1', key: keyB });
    expect(a.body.subject).toBe('A only');
    expect(b.body.subject).toBe('B version');
    const bArticle = await t.request({
      method: 'PUT',
      url: '/api/v1/articles',
      key: keyB,
      body: { articles: [articleFactory({ article_id: 'KB-A', title: 'B' })] },
    });
    expect(bArticle.body).toEqual({ upserted: 1, unchanged: 0 });
  });

  it('answers 403 when a body or query company_id names another company', async () => {
    const list = await t.request({ method: 'GET', url: '/api/v1/tickets?company_id=company-a', key: keyB });
    expect(list.status).toBe(403);
    expect(list.body.message).toMatch(/query\.company_id/);
    const own = await t.request({ method: 'GET', url: '/api/v1/tickets?company_id=company-b', key: keyB });
    expect(own.status).toBe(200);
  });

  it('requires a valid key on tenant routes, by Bearer or X-API-Key', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets' })).status).toBe(401);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets', key: 'sc_00000000_' + 'a'.repeat(43) })).status).toBe(401);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets', key: 'garbage' })).status).toBe(401);
    const viaHeader = await t.request({ method: 'GET', url: '/api/v1/tickets', headers: { 'x-api-key': keyA } });
    expect(viaHeader.status).toBe(200);
    const adminOnTenant = await t.request({ method: 'GET', url: '/api/v1/tickets', key: TEST_ADMIN_KEY });
    expect(adminOnTenant.status).toBe(403);
  });

  it('refuses tenant keys and missing keys on admin routes', async () => {
    const body = { company_id: 'evil', name: 'Evil' };
    expect((await t.request({ method: 'POST', url: '/api/v1/admin/companies', body })).status).toBe(401);
    expect((await t.request({ method: 'POST', url: '/api/v1/admin/companies', key: keyA, body })).status).toBe(403);
    expect((await t.request({ method: 'POST', url: '/api/v1/admin/companies/company-a/api-keys', key: keyA })).status).toBe(
      403,
    );
    expect((await t.request({ method: 'POST', url: '/api/v1/admin/companies', key: 'wrong-admin-key', body })).status).toBe(
      401,
    );
  });

  it('issues extra keys, and a revoked key stops working', async () => {
    const issued = await t.request({ method: 'POST', url: '/api/v1/admin/companies/company-a/api-keys', key: TEST_ADMIN_KEY });
    expect(issued.status).toBe(201);
    const { api_key, key_id } = issued.body;
    expect(api_key).toMatch(/^sc_[0-9a-f]{8}_/);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/SECRET-1', key: api_key })).status).toBe(200);

    const wrongCompany = await t.request({
      method: 'DELETE',
      url: `/api/v1/admin/companies/company-b/api-keys/${key_id}`,
      key: TEST_ADMIN_KEY,
    });
    expect(wrongCompany.status).toBe(404);
    const revoked = await t.request({
      method: 'DELETE',
      url: `/api/v1/admin/companies/company-a/api-keys/${key_id}`,
      key: TEST_ADMIN_KEY,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.key_id).toBe(key_id);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/SECRET-1', key: api_key })).status).toBe(401);
    // The company's other key still works.
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets/SECRET-1', key: keyA })).status).toBe(200);
    const again = await t.request({
      method: 'DELETE',
      url: `/api/v1/admin/companies/company-a/api-keys/${key_id}`,
      key: TEST_ADMIN_KEY,
    });
    expect(again.status).toBe(404);
  });

  it('rejects duplicate companies, bad company ids and keys for unknown companies', async () => {
    const dup = await t.request({
      method: 'POST',
      url: '/api/v1/admin/companies',
      key: TEST_ADMIN_KEY,
      body: { company_id: 'company-a', name: 'Again' },
    });
    expect(dup.status).toBe(409);
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/admin/companies',
      key: TEST_ADMIN_KEY,
      body: { company_id: 'Bad Company!', name: '' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/^company_id /), expect.stringMatching(/^name /)]),
    );
    const unknown = await t.request({ method: 'POST', url: '/api/v1/admin/companies/nobody/api-keys', key: TEST_ADMIN_KEY });
    expect(unknown.status).toBe(404);
  });
});

describe('per-company rate limit', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the limit, per company', async () => {
    t = await startTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '5' });
    const keyA = await t.createCompany('rl-a');
    const keyB = await t.createCompany('rl-b');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await t.request({ method: 'GET', url: '/api/v1/tickets', key: keyA })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await t.request({ method: 'GET', url: '/api/v1/tickets', key: keyA });
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await t.request({ method: 'GET', url: '/api/v1/tickets', key: keyB })).status).toBe(200);
  });
});

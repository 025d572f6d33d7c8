import { startTestApp, TestApp, TEST_ADMIN_KEY } from '../setup/test-app';

describe('request bodies and content types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    await t.createCompany('acme');
  });
  afterAll(() => t.close());

  it('accepts a bodiless DELETE sent with content-type: application/json (what many HTTP clients do)', async () => {
    const res = await t.request({
      method: 'DELETE',
      url: '/api/v1/admin/cache/acme',
      key: TEST_ADMIN_KEY,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body.invalidated).toEqual(expect.any(Object));
  });

  it('still refuses an empty or broken JSON body where one is required, and a broken one on DELETE', async () => {
    const empty = await t.request({
      method: 'POST',
      url: '/api/v1/admin/companies',
      key: TEST_ADMIN_KEY,
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    const broken = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/admin/cache/acme',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      payload: '{"nope',
    });
    expect(broken.statusCode).toBe(400);
  });
});

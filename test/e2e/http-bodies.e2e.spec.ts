import { startTestApp, TestApp, TEST_ADMIN_KEY } from '../setup/test-app';

describe('request bodies and content types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    await t.createCompany('acme');
  });
  afterAll(() => t.close());

  const sendJson = (method: 'DELETE' | 'POST', url: string, payload?: string) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload }),
    });

  it('accepts a bodiless DELETE sent with content-type: application/json (what many HTTP clients do)', async () => {
    const res = await sendJson('DELETE', '/api/v1/admin/cache/acme');
    expect(res.statusCode).toBe(200);
    expect(res.json().invalidated).toEqual(expect.any(Object));
  });

  it('still refuses an empty JSON body where one is required, and a broken one on DELETE', async () => {
    expect((await sendJson('POST', '/api/v1/admin/companies')).statusCode).toBe(400);
    expect((await sendJson('DELETE', '/api/v1/admin/cache/acme', '{"nope')).statusCode).toBe(400);
  });
});

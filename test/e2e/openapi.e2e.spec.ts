import { startTestApp, TestApp } from '../setup/test-app';

/**
 * The OpenAPI document is the user's copy of the contract: snapshot-tested, so every change to a route, a
 * field or a documented error shows up as a reviewable diff (`jest -u` records an intended one).
 */
describe('OpenAPI document (/docs-json)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Embedded mode: the document must not depend on which services a run happens to have.
    t = await startTestApp('sqlite', { REDIS_URL: '', QUEUE_REDIS_URL: '' });
  }, 60_000);
  afterAll(() => t.close());

  it('matches the reviewed snapshot', async () => {
    const response = await t.request({ method: 'GET', url: '/docs-json' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchSnapshot();
  });
});

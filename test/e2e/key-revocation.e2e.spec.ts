import { randomBytes } from 'node:crypto';
import { describeSkippedWithout, missingServices } from '../support/services';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../setup/test-app';

/**
 * A key revoked on one API instance is refused by another at once: the revocation is announced over the cache
 * Redis (auth/adapters/redis.revocation-channel.adapter.ts). Both instances cache resolutions for ten minutes
 * here, so only the announcement can carry it; with the default 1 s the announcement still beats the expiry,
 * and it is what reaches an instance answering from stale entries while its database is away.
 */
const needs = ['DATABASE_URL', 'REDIS_URL'];

if (missingServices(...needs).length > 0) {
  describeSkippedWithout('API key revocation across instances', needs);
} else {
  describe('API key revocation across two API instances', () => {
    let one: TestApp;
    let two: TestApp;
    const search = (app: TestApp, key: string) =>
      app.request({ method: 'POST', url: '/api/v1/search', key, body: { query: 'refund' } });

    beforeAll(async () => {
      const shared = {
        AUTH_CACHE_TTL_MS: '600000',
        REDIS_KEY_PREFIX: `test-revoke-${randomBytes(4).toString('hex')}:`,
      };
      one = await startTestApp('postgres', shared);
      const database = one.config.database;
      if (database.kind !== 'postgres') throw new Error('the shared database is PostgreSQL');
      two = await startTestApp('postgres', { ...shared, DATABASE_SCHEMA: database.schema });
      await one.createCompany('revoke-co');
    }, 60_000);

    afterAll(async () => {
      // Two first: one drops the schema they share.
      await two?.close();
      await one?.close();
    });

    const issue = async (): Promise<{ key: string; keyId: string }> => {
      const issued = await one.request({
        method: 'POST',
        url: '/api/v1/admin/companies/revoke-co/api-keys',
        key: TEST_ADMIN_KEY,
      });
      expect(issued.status).toBe(201);
      return { key: issued.body.api_key, keyId: issued.body.key_id };
    };

    it('a key revoked on one instance is refused by the other within 200 ms', async () => {
      const { key, keyId } = await issue();
      // Resolved and cached by the other instance first.
      expect((await search(two, key)).status).toBe(200);
      const revoked = await one.request({
        method: 'DELETE',
        url: `/api/v1/admin/companies/revoke-co/api-keys/${keyId}`,
        key: TEST_ADMIN_KEY,
      });
      expect(revoked.status).toBe(200);
      const started = Date.now();
      let status = (await search(two, key)).status;
      while (status !== 401 && Date.now() - started < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        status = (await search(two, key)).status;
      }
      expect(status).toBe(401);
      expect(Date.now() - started).toBeLessThanOrEqual(200);
    });

    it('a key of the same company that was not revoked still answers on both', async () => {
      const { key } = await issue();
      expect((await search(two, key)).status).toBe(200);
      expect((await search(one, key)).status).toBe(200);
    });
  });
}

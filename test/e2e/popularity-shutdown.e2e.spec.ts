import Redis from 'ioredis';
import { QueryPopularity } from '../../src/modules/warming/query-popularity.service';
import { startTestApp } from '../setup/test-app';
import { describeSkippedWithout, missingServices } from '../support/services';

/**
 * Popularity counts wait in process for their batch: closing the application writes them before the cache
 * Redis connection closes (services mode; the in-memory store of embedded mode closes with the process).
 */
if (missingServices('REDIS_URL').length > 0) {
  describeSkippedWithout('popularity counts at shutdown', ['REDIS_URL']);
} else {
  describe('popularity counts at shutdown', () => {
    it('are written to Redis when the application closes, not lost with the pending batch', async () => {
      const t = await startTestApp(process.env.DATABASE_URL ? 'postgres' : 'sqlite');
      const prefix = t.config.redis.keyPrefix;
      const redis = new Redis(process.env.REDIS_URL!, { commandTimeout: 1_000 });
      try {
        await t.app
          .get(QueryPopularity)
          .record({ companyId: 'pop-shutdown', kind: 'query', request: { query: 'where is my parcel' } });
        await t.close();
        expect(await redis.zrange(`${prefix}popularity:companies`, 0, -1)).toContain('pop-shutdown');
      } finally {
        const keys = await redis.keys(`${prefix}popularity:*`);
        if (keys.length > 0) await redis.unlink(...keys);
        await redis.quit();
      }
    });
  });
}

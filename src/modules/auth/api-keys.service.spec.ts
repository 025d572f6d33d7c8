import { loadConfig } from '../../config/config';
import type { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import { generateApiKey } from './domain/api-key';
import { LocalRevocationChannel } from './adapters/local.revocation-channel.adapter';

/** A key table whose lookups answer when released, counting them. */
function keyTable() {
  const key = generateApiKey();
  const row = { id: 'k1', companyId: 'c1', prefix: key.prefix, hash: key.hash, revokedAt: null as Date | null };
  const pending: Array<() => void> = [];
  let lookups = 0;
  const repository = {
    findActiveByPrefix: async () => {
      lookups += 1;
      const answer = row.revokedAt ? [] : [{ ...row }];
      await new Promise<void>((resolve) => pending.push(resolve));
      return answer;
    },
    revoke: async () => {
      row.revokedAt = new Date();
      return true;
    },
  } as unknown as ApiKeyRepository;
  const release = () => pending.splice(0).forEach((resolve) => resolve());
  /** The latest lookup answers first. */
  const releaseNewestFirst = () => pending.splice(0).reverse().forEach((resolve) => resolve());
  return { key: key.key, repository, release, releaseNewestFirst, lookups: () => lookups };
}

describe('ApiKeysService.resolve', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', AUTH_CACHE_TTL_MS: '1000' });
  const open = (table: ReturnType<typeof keyTable>) =>
    new ApiKeysService(table.repository, {} as CompanyRepository, config, new LocalRevocationChannel());

  it('a revocation announced by another instance is refused at once, whatever was cached (one shared channel)', async () => {
    const table = keyTable();
    const channel = new LocalRevocationChannel();
    const long = loadConfig({ LOG_LEVEL: 'silent', AUTH_CACHE_TTL_MS: '600000' });
    const one = new ApiKeysService(table.repository, {} as CompanyRepository, long, channel);
    const two = new ApiKeysService(table.repository, {} as CompanyRepository, long, channel);
    const first = two.resolve(table.key);
    table.release();
    expect(await first).toEqual({ companyId: 'c1', keyId: 'k1' });
    expect(await two.resolve(table.key)).toEqual({ companyId: 'c1', keyId: 'k1' }); // cached: no lookup
    expect(table.lookups()).toBe(1);

    await one.revokeKey({ companyId: 'c1', keyId: 'k1' });
    // Refused from the announcement itself: no lookup was needed to learn it.
    expect(await two.resolve(table.key)).toBeNull();
    expect(table.lookups()).toBe(1);
  });

  it('concurrent resolves of one key share one lookup (no burst of queries when the cached entry expires)', async () => {
    const table = keyTable();
    const keys = open(table);
    const resolved = Array.from({ length: 20 }, () => keys.resolve(table.key));
    table.release();
    const results = await Promise.all(resolved);
    expect(table.lookups()).toBe(1);
    expect(results.every((r) => r?.companyId === 'c1')).toBe(true);
  });

  it('a resolve that starts after a revocation never joins, nor caches, a lookup that started before it', async () => {
    const table = keyTable();
    const keys = open(table);
    const before = keys.resolve(table.key);
    await keys.revokeKey({ companyId: 'c1', keyId: 'k1' });
    const after = keys.resolve(table.key);
    await new Promise((resolve) => setImmediate(resolve));
    table.releaseNewestFirst();
    expect(await after).toBeNull();
    expect(await before).toEqual({ companyId: 'c1', keyId: 'k1' });
    const again = keys.resolve(table.key);
    table.release();
    expect(await again).toBeNull();
  });
});

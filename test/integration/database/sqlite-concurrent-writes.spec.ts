import type { DataSource } from 'typeorm';
import { ApiKeyEntity, CompanyEntity } from '../../../src/database/entities';
import { serialTransaction } from '../../../src/database/serial-transaction';
import { ApiKeyRepository, CompanyRepository } from '../../../src/modules/auth/api-key.repository';
import { bareDataSource } from '../ingest/bare-data-source';

/**
 * Embedded mode shares one SQLite connection: a write issued while another transaction is open would run inside
 * it (and vanish with its rollback) or fail to BEGIN. Every write goes through the one serial queue instead.
 */
describe('SQLite: writes beside an open transaction (embedded mode)', () => {
  let db: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await bareDataSource('sqlite'));
  });
  afterAll(() => close());

  const key = (id: string, companyId: string): ApiKeyEntity =>
    Object.assign(new ApiKeyEntity(), {
      id,
      companyId,
      prefix: id.slice(0, 8),
      hash: 'a'.repeat(64),
      createdAt: new Date(),
      revokedAt: null,
    });

  /** A transaction that stays open for a while and then rolls back. */
  const failingTransaction = () =>
    serialTransaction(db, async (tx) => {
      await tx.getRepository(CompanyEntity).insert({ id: 'rolled-back', name: 'rolled back' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error('rolled back on purpose');
    });

  it('creates a company and its key while another transaction is open, and keeps them after its rollback', async () => {
    const companies = new CompanyRepository(db);
    const open = failingTransaction();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const created = companies.createWithKey({ id: 'acme', name: 'Acme' }, key('k-acme-000001', 'acme'));
    await expect(open).rejects.toThrow('rolled back on purpose');
    await expect(created).resolves.toBe(true);
    expect(await db.getRepository(CompanyEntity).findOneBy({ id: 'acme' })).not.toBeNull();
    expect(await db.getRepository(CompanyEntity).findOneBy({ id: 'rolled-back' })).toBeNull();
    expect(await db.getRepository(ApiKeyEntity).findOneBy({ id: 'k-acme-000001' })).not.toBeNull();
  });

  it('adds and revokes keys while another transaction is open, and keeps both after its rollback', async () => {
    const keys = new ApiKeyRepository(db);
    await keys.insert(key('k-acme-000002', 'acme'));
    const open = failingTransaction();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const inserted = keys.insert(key('k-acme-000003', 'acme'));
    const revoked = keys.revoke('acme', 'k-acme-000002', new Date());
    await expect(open).rejects.toThrow('rolled back on purpose');
    await expect(inserted).resolves.toBeUndefined();
    await expect(revoked).resolves.toBe(true);
    expect(await db.getRepository(ApiKeyEntity).findOneBy({ id: 'k-acme-000003' })).not.toBeNull();
    expect(
      (await db.getRepository(ApiKeyEntity).findOneBy({ id: 'k-acme-000002' }))?.revokedAt,
    ).not.toBeNull();
  });
});

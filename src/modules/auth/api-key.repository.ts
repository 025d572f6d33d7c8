import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not } from 'typeorm';
import { ApiKeyEntity, CompanyEntity } from '../../database/entities';
import { serialTransaction } from '../../database/serial-transaction';

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Active keys sharing a lookup prefix (almost always one). */
  findActiveByPrefix(prefix: string): Promise<ApiKeyEntity[]> {
    return this.db.getRepository(ApiKeyEntity).find({ where: { prefix, revokedAt: IsNull() } });
  }

  /** Writes go through serialTransaction: on SQLite a write beside another's open transaction would join it. */
  async insert(key: ApiKeyEntity): Promise<void> {
    await serialTransaction(this.db, (tx) => tx.getRepository(ApiKeyEntity).insert(key));
  }

  /** Revokes one key of one company; false when the company has no such active key. */
  async revoke(companyId: string, keyId: string, at: Date): Promise<boolean> {
    const result = await serialTransaction(this.db, (tx) =>
      tx.getRepository(ApiKeyEntity).update({ companyId, id: keyId, revokedAt: IsNull() }, { revokedAt: at }),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Company erasure: every key of the company, revoked or not (a handful per company: one statement). */
  async deleteAllOfCompany(companyId: string): Promise<number> {
    const result = await serialTransaction(this.db, (tx) =>
      tx.getRepository(ApiKeyEntity).delete({ companyId }),
    );
    return result.affected ?? 0;
  }

  countOfCompany(companyId: string): Promise<number> {
    return this.db.getRepository(ApiKeyEntity).count({ where: { companyId } });
  }
}

@Injectable()
export class CompanyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  exists(companyId: string): Promise<boolean> {
    return this.db.getRepository(CompanyEntity).exists({ where: { id: companyId } });
  }

  /** When the company's erasure was requested; null when it is not being erased; undefined when there is no such company. */
  async erasingSince(companyId: string): Promise<Date | null | undefined> {
    const row = await this.db
      .getRepository(CompanyEntity)
      .findOne({ select: { id: true, erasingSince: true }, where: { id: companyId } });
    return row ? row.erasingSince : undefined;
  }

  /**
   * Marks the company erasing (kept if it already was) and revokes every active key in one transaction, so no
   * key outlives the mark. Returns the mark's time and how many keys were revoked, or undefined for no company.
   */
  async markErasing(companyId: string, at: Date): Promise<{ since: Date; revoked: number } | undefined> {
    return serialTransaction(this.db, async (tx) => {
      const companies = tx.getRepository(CompanyEntity);
      const row = await companies.findOne({
        select: { id: true, erasingSince: true },
        where: { id: companyId },
      });
      if (!row) return undefined;
      const since = row.erasingSince ?? at;
      if (!row.erasingSince) await companies.update({ id: companyId }, { erasingSince: since });
      const revoked = await tx
        .getRepository(ApiKeyEntity)
        .update({ companyId, revokedAt: IsNull() }, { revokedAt: at });
      return { since, revoked: revoked.affected ?? 0 };
    });
  }

  /** Companies whose erasure was requested and has not finished (the erasure reconciler re-enqueues them). */
  async erasing(limit: number): Promise<string[]> {
    const rows = await this.db
      .getRepository(CompanyEntity)
      .find({
        select: { id: true },
        where: { erasingSince: Not(IsNull()) },
        order: { id: 'ASC' },
        take: limit,
      });
    return rows.map((row) => row.id);
  }

  /** The company row itself, the erasure's last step; 1 if it existed. */
  async delete(companyId: string): Promise<number> {
    const result = await serialTransaction(this.db, (tx) =>
      tx.getRepository(CompanyEntity).delete({ id: companyId }),
    );
    return result.affected ?? 0;
  }

  /** Creates a company and its first key atomically; false if the company already exists. */
  async createWithKey(company: { id: string; name: string }, key: ApiKeyEntity): Promise<boolean> {
    if (await this.exists(company.id)) return false;
    try {
      await serialTransaction(this.db, async (tx) => {
        await tx.getRepository(CompanyEntity).insert({ id: company.id, name: company.name });
        await tx.getRepository(ApiKeyEntity).insert(key);
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code ?? '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
}

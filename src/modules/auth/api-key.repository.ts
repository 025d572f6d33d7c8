import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
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
}

@Injectable()
export class CompanyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  exists(companyId: string): Promise<boolean> {
    return this.db.getRepository(CompanyEntity).exists({ where: { id: companyId } });
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

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan } from 'typeorm';
import { ApiKeyEntity, CompanyEntity } from '../../database/entities';

/** The export's reads of the company row and its API keys' metadata (never their hashes). */
@Injectable()
export class CompanyRecordRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findCompany(companyId: string): Promise<CompanyEntity | null> {
    return this.db.getRepository(CompanyEntity).findOne({ where: { id: companyId } });
  }

  /** A page of the company's keys in id order, resumed after `afterId`. */
  keysPage(companyId: string, input: { afterId?: string; limit: number }): Promise<ApiKeyEntity[]> {
    return this.db.getRepository(ApiKeyEntity).find({
      select: { id: true, companyId: true, prefix: true, createdAt: true, revokedAt: true },
      where: { companyId, ...(input.afterId !== undefined ? { id: MoreThan(input.afterId) } : {}) },
      order: { id: 'ASC' },
      take: input.limit,
    });
  }
}

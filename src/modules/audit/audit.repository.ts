import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditLogEntity } from '../../database/entities';
import { serialTransaction } from '../../database/serial-transaction';

export interface AuditPageRequest {
  companyId?: string;
  action?: string;
  before?: { at: Date; id: string };
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(entry: AuditLogEntity): Promise<void> {
    await serialTransaction(this.db, (tx) => tx.getRepository(AuditLogEntity).insert(entry as never));
  }

  /** Newest first, resumed below a keyset position (at, id): never OFFSET. */
  page(request: AuditPageRequest): Promise<AuditLogEntity[]> {
    const qb = this.db.getRepository(AuditLogEntity).createQueryBuilder('a');
    if (request.companyId) qb.andWhere('a.company_id = :companyId', { companyId: request.companyId });
    if (request.action) qb.andWhere('a.action = :action', { action: request.action });
    if (request.before) {
      qb.andWhere('(a.at, a.id) < (:beforeAt, :beforeId)', {
        beforeAt: request.before.at,
        beforeId: request.before.id,
      });
    }
    return qb.orderBy('a.at', 'DESC').addOrderBy('a.id', 'DESC').limit(request.limit).getMany();
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, MoreThan, Not } from 'typeorm';
import { CompanyEntity } from '../../database/entities';
import { serialTransaction } from '../../database/serial-transaction';

export interface RetentionPolicy {
  ticketsDays: number | null;
  sessionsHours: number | null;
}

/** The retention columns of the company row. Every statement is bounded by the database's statement timeout. */
@Injectable()
export class RetentionPolicyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** null: no such company. */
  async find(companyId: string): Promise<RetentionPolicy | null> {
    const row = await this.db.getRepository(CompanyEntity).findOne({
      select: { id: true, ticketsRetentionDays: true, sessionsRetentionHours: true },
      where: { id: companyId },
    });
    return row ? { ticketsDays: row.ticketsRetentionDays, sessionsHours: row.sessionsRetentionHours } : null;
  }

  /** Sets the given fields (undefined: unchanged, null: cleared); null when there is no such company. */
  update(
    companyId: string,
    patch: Partial<RetentionPolicy>,
  ): Promise<{ before: RetentionPolicy; after: RetentionPolicy } | null> {
    return serialTransaction(this.db, async (tx) => {
      const repo = tx.getRepository(CompanyEntity);
      const row = await repo.findOne({ where: { id: companyId } });
      if (!row) return null;
      const before = { ticketsDays: row.ticketsRetentionDays, sessionsHours: row.sessionsRetentionHours };
      const after = {
        ticketsDays: patch.ticketsDays === undefined ? before.ticketsDays : patch.ticketsDays,
        sessionsHours: patch.sessionsHours === undefined ? before.sessionsHours : patch.sessionsHours,
      };
      await repo.update(
        { id: companyId },
        { ticketsRetentionDays: after.ticketsDays, sessionsRetentionHours: after.sessionsHours },
      );
      return { before, after };
    });
  }

  /** A page of the companies with a tickets policy, in id order after `afterId`. */
  async withTicketsPolicy(input: { afterId?: string; limit: number }): Promise<string[]> {
    const rows = await this.db.getRepository(CompanyEntity).find({
      select: { id: true },
      where: {
        ticketsRetentionDays: Not(IsNull()),
        ...(input.afterId !== undefined ? { id: MoreThan(input.afterId) } : {}),
      },
      order: { id: 'ASC' },
      take: input.limit,
    });
    return rows.map((row) => row.id);
  }
}

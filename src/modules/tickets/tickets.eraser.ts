import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { countCompanyRows, deleteCompanyRows } from '../../database/company-rows';

const TABLES = ['ticket', 'article'] as const;

/** The company's tickets and articles, with the summaries stored on them: rows, last (after their index entries). */
@Injectable()
export class TicketsEraser extends CompanyEraser {
  readonly store = 'tickets';
  readonly order = 30;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    let rows = 0;
    for (const table of TABLES) rows += await deleteCompanyRows(this.db, { table, companyId });
    return { rows };
  }

  async residue(companyId: string): Promise<number> {
    let n = 0;
    for (const table of TABLES) n += await countCompanyRows(this.db, { table, companyId });
    return n;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { countCompanyRows, deleteCompanyRows } from '../../database/company-rows';

/**
 * The company's tombstones (deleted_item): after its index partitions are gone (order 20) nothing is left for
 * the purge job to remove, so they go with the rows.
 */
@Injectable()
export class DeletionOutboxEraser extends CompanyEraser {
  readonly store = 'deleted_items';
  readonly order = 30;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return { rows: await deleteCompanyRows(this.db, { table: 'deleted_item', companyId }) };
  }

  residue(companyId: string): Promise<number> {
    return countCompanyRows(this.db, { table: 'deleted_item', companyId });
  }
}

import { Injectable } from '@nestjs/common';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { UsageLedger } from './usage-ledger.service';

/**
 * The company's token usage and cost rows. The ledger lives in each process: this erases the copy of the process
 * running the erasure (the worker, or the whole app in embedded mode); an API instance's copy holds only counts
 * and goes with its restart (README, data lifecycle).
 */
@Injectable()
export class UsageLedgerEraser extends CompanyEraser {
  readonly store = 'usage_ledger';
  readonly order = 20;

  constructor(private readonly ledger: UsageLedger) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return { rows: this.ledger.forgetCompany(companyId) };
  }

  async residue(companyId: string): Promise<number> {
    return this.ledger.companyRows(companyId);
  }
}

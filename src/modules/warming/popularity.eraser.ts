import { Injectable } from '@nestjs/common';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { PopularityStore } from './ports/popularity-store.port';

/** The company's popular questions (customer text) and its place in the nightly warm's company list. */
@Injectable()
export class PopularityEraser extends CompanyEraser {
  readonly store = 'popularity';
  readonly order = 20;

  constructor(private readonly popularity: PopularityStore) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return { cache_keys: await this.popularity.eraseCompany(companyId) };
  }

  residue(companyId: string): Promise<number> {
    return this.popularity.countCompany(companyId);
  }
}

import { Injectable } from '@nestjs/common';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { ApiKeyRepository, CompanyRepository } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';

/**
 * Access first: the company's API keys (revoked when the erasure was requested) are deleted, and this
 * instance's cached resolutions dropped.
 */
@Injectable()
export class ApiKeysEraser extends CompanyEraser {
  readonly store = 'api_keys';
  readonly order = 0;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    this.apiKeys.forgetCompany(companyId);
    return { keys: await this.keys.deleteAllOfCompany(companyId) };
  }

  residue(companyId: string): Promise<number> {
    return this.keys.countOfCompany(companyId);
  }
}

/** The company row, last of all: while it exists (marked erasing) a crashed erasure is found and resumed. */
@Injectable()
export class CompanyRowEraser extends CompanyEraser {
  readonly store = 'company';
  readonly order = 100;

  constructor(private readonly companies: CompanyRepository) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return { rows: await this.companies.delete(companyId) };
  }

  async residue(companyId: string): Promise<number> {
    return (await this.companies.exists(companyId)) ? 1 : 0;
  }
}

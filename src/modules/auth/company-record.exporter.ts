import { Injectable } from '@nestjs/common';
import { CompanyExporter, ExportRecord } from '../../common/tenancy/company-data';
import { CompanyRecordRepository } from './company-record.repository';

const KEYS_PAGE = 500;

/**
 * The export's `company` line (the row: name, creation, retention policy) and one `api_key` line per key ever
 * issued: id, lookup prefix, issued and revoked times. The key's hash is not exported: it is no data of the
 * company's and would only help guess the key.
 */
@Injectable()
export class CompanyRecordExporter extends CompanyExporter {
  readonly store = 'company';

  constructor(private readonly repository: CompanyRecordRepository) {
    super();
  }

  async *exportRecords(companyId: string): AsyncIterable<ExportRecord> {
    const company = await this.repository.findCompany(companyId);
    if (!company) return;
    yield {
      type: 'company',
      company_id: company.id,
      name: company.name,
      created_at: company.createdAt.toISOString(),
      retention: {
        tickets_days: company.ticketsRetentionDays,
        sessions_hours: company.sessionsRetentionHours,
      },
    };
    let afterId: string | undefined;
    for (;;) {
      const keys = await this.repository.keysPage(companyId, { afterId, limit: KEYS_PAGE });
      for (const key of keys) {
        yield {
          type: 'api_key',
          key_id: key.id,
          prefix: key.prefix,
          created_at: key.createdAt.toISOString(),
          revoked_at: key.revokedAt ? key.revokedAt.toISOString() : null,
        };
      }
      if (keys.length < KEYS_PAGE) return;
      afterId = keys[keys.length - 1].id;
    }
  }
}

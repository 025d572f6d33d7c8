import { Injectable } from '@nestjs/common';
import { CompanyEraser, ErasureCounts } from '../../common/tenancy/company-data';
import { eraseCompanyJobId } from './jobs';
import { JobQueue } from './ports/job-queue.port';

/**
 * The company's jobs in every state and their payloads (results too: an ingest result lists failed ids), so
 * nothing queued can write the company's data again. Active jobs finish first (the indexing path stops for an
 * erasing company) and are swept by the erasure's next round. The erasure's own job is never touched.
 */
@Injectable()
export class CompanyJobsEraser extends CompanyEraser {
  readonly store = 'jobs';
  readonly order = 10;

  constructor(private readonly queue: JobQueue) {
    super();
  }

  async erase(companyId: string): Promise<ErasureCounts> {
    return {
      jobs: await this.queue.removeCompanyJobs({ companyId, keepIds: [eraseCompanyJobId(companyId)] }),
    };
  }

  residue(companyId: string): Promise<number> {
    return this.queue.countCompanyJobs({ companyId, keepIds: [eraseCompanyJobId(companyId)] });
  }
}

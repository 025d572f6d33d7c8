import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { isCompanyId } from '../../common/tenancy/company-id';
import { CompanyRepository } from '../auth/api-key.repository';
import { EraseCompanyPayload, JobName } from '../jobs/jobs';
import { JobQueue } from '../jobs/ports/job-queue.port';
import { CompanyErasureService } from './company-erasure.service';

/** How often the worker looks for companies marked erasing whose job was lost (embedded restart, queue outage). */
const RECONCILE_MS = 60_000;

/** Worker roles: runs erasure jobs (parse, delegate) and re-enqueues erasures that lost their job. */
@Injectable()
export class CompanyErasureProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CompanyErasureProcessor');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queue: JobQueue,
    private readonly erasure: CompanyErasureService,
    private readonly companies: CompanyRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process({
      name: JobName.EraseCompany,
      concurrency: 1,
      handler: (data, ctx) => this.erasure.erase(parsePayload(data), (p) => ctx.reportProgress(p)),
    });
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Joins the job when it is still queued (same job id): only a lost one is queued again. */
  private async reconcile(): Promise<void> {
    try {
      for (const companyId of await this.companies.erasing(100)) {
        await this.erasure.enqueue({ companyId, actorKeyId: 'system' });
      }
    } catch (error) {
      this.logger.warn(`erasure reconcile failed: ${String(error)}`);
    }
  }
}

function parsePayload(data: EraseCompanyPayload): EraseCompanyPayload {
  if (!isCompanyId(data.companyId)) throw new Error('malformed job payload: companyId');
  const actorKeyId = typeof data.actorKeyId === 'string' && data.actorKeyId ? data.actorKeyId : 'system';
  return { companyId: data.companyId, actorKeyId };
}

import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AppError } from '../../common/errors/app-error';
import { CompanyEraser } from '../../common/tenancy/company-data';
import { AuditService } from '../audit/audit.service';
import { ApiKeysService } from '../auth/api-keys.service';
import { CompanyRepository } from '../auth/api-key.repository';
import {
  EraseCompanyPayload,
  eraseCompanyJobId,
  ErasureReport,
  JOB_OPTIONS,
  JobName,
  JobProgress,
} from '../jobs/jobs';
import { JobQueue, JobView } from '../jobs/ports/job-queue.port';
import { addCounts, byOrder, emptyReport, FINAL_ORDER, nonZero } from './domain/erasure-rounds';

/**
 * Requests that started before the keys were revoked may still write (a cache entry, a background summary), and
 * other instances accept a revoked key until their auth cache expires (1 s): the erasure starts this long after
 * the request, so its first round already sees their writes.
 */
export const SETTLE_MS = 2_000;
/** Rounds of every eraser until every residue is 0; active jobs of the company finish in between. */
const MAX_ROUNDS = 6;
const ROUND_PAUSE_MS = 1_000;

export interface ErasureStatus {
  companyId: string;
  jobId: string;
  state: 'queued' | 'running' | 'retrying' | 'completed';
  progress: JobProgress | null;
  report: ErasureReport | null;
  finishedAt: string | null;
  error: string | null;
}

/**
 * Erases a company everywhere. The request marks it erasing and revokes its keys (one transaction), then queues
 * the job; the job (worker role) runs every CompanyEraser found by discovery in `order`, round after round until
 * each store's residue is 0, then removes the company row and writes the report to the audit log. Idempotent
 * and resumable: a crashed run is retried (or re-enqueued by the reconciler while the company stays marked),
 * and erasers find nothing where they already ran.
 */
@Injectable()
export class CompanyErasureService {
  private readonly logger = new Logger('CompanyErasure');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly apiKeys: ApiKeysService,
    private readonly companies: CompanyRepository,
    private readonly queue: JobQueue,
    private readonly audit: AuditService,
  ) {}

  /** Every eraser provided by any module, by order (one per instance even if a module is imported twice). */
  erasers(): CompanyEraser[] {
    const found = new Set<CompanyEraser>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof CompanyEraser) found.add(instance);
    }
    return byOrder([...found]);
  }

  async requestErasure(input: { companyId: string; actorKeyId: string }): Promise<{ jobId: string }> {
    const marked = await this.apiKeys.revokeCompany(input.companyId);
    if (!marked) throw AppError.notFound('company', input.companyId);
    await this.audit.record({
      actorKeyId: input.actorKeyId,
      action: 'company.erasure_requested',
      companyId: input.companyId,
      target: `company/${input.companyId}`,
      details: { keys_revoked: marked.revoked, erasing_since: marked.since.toISOString() },
    });
    return { jobId: await this.enqueue(input) };
  }

  /** Queues (or joins) the company's erasure job. */
  enqueue(payload: EraseCompanyPayload): Promise<string> {
    return this.queue.add({
      name: JobName.EraseCompany,
      data: payload,
      options: { ...JOB_OPTIONS[JobName.EraseCompany], jobId: eraseCompanyJobId(payload.companyId) },
    });
  }

  async erase(
    payload: EraseCompanyPayload,
    progress: (p: JobProgress) => Promise<void>,
  ): Promise<ErasureReport> {
    const { companyId } = payload;
    const started = Date.now();
    const since = await this.companies.erasingSince(companyId);
    // A job for a company nobody asked to erase (a forged or stale payload) erases nothing.
    if (since === null) throw new Error(`company ${companyId} is not marked for erasure`);
    if (since) await sleep(since.getTime() + SETTLE_MS - Date.now());

    const all = this.erasers();
    const rounds = all.filter((e) => e.order < FINAL_ORDER);
    const finals = all.filter((e) => e.order >= FINAL_ORDER);
    const total = all.length;
    let report = emptyReport();
    const stores: Record<string, ErasureReport> = {};
    const run = async (eraser: CompanyEraser) => {
      const counts = await eraser.erase(companyId);
      report = addCounts(report, counts);
      stores[eraser.store] = addCounts(stores[eraser.store] ?? emptyReport(), counts);
    };

    let residue: Record<string, number> = {};
    for (let round = 1; round <= MAX_ROUNDS; round += 1) {
      for (const [i, eraser] of rounds.entries()) {
        await run(eraser);
        await progress({ processed: i + 1, total, failed: 0 });
      }
      residue = nonZero(await this.residue(rounds, companyId));
      if (Object.keys(residue).length === 0) break;
      this.logger.warn(`erasure of ${companyId}, round ${round}: residue ${JSON.stringify(residue)}`);
      await sleep(ROUND_PAUSE_MS);
    }
    if (Object.keys(residue).length > 0) {
      throw new Error(
        `erasure of ${companyId} left residue after ${MAX_ROUNDS} rounds: ${JSON.stringify(residue)}`,
      );
    }
    for (const eraser of finals) await run(eraser);
    await progress({ processed: total, total, failed: 0 });

    if (!(await this.erasedEntry(companyId))) {
      await this.audit.record({
        actorKeyId: payload.actorKeyId,
        action: 'company.erased',
        companyId,
        target: `company/${companyId}`,
        details: { report, stores, duration_ms: Date.now() - started },
      });
    }
    this.logger.log(`company ${companyId} erased in ${Date.now() - started} ms: ${JSON.stringify(report)}`);
    return report;
  }

  /** What each eraser still finds (the sweep of the erasure and of the tests). */
  async residue(erasers: CompanyEraser[], companyId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const eraser of erasers)
      out[eraser.store] = (out[eraser.store] ?? 0) + (await eraser.residue(companyId));
    return out;
  }

  /** The erasure's state: the queued or running job, else the report kept in the audit log. */
  async status(companyId: string): Promise<ErasureStatus> {
    const jobId = eraseCompanyJobId(companyId);
    const job = await this.queue.getJob(jobId);
    const erased = await this.erasedEntry(companyId);
    if (erased) {
      const details = erased.details as { report?: ErasureReport } | null;
      return {
        companyId,
        jobId,
        state: 'completed',
        progress: null,
        report: details?.report ?? null,
        finishedAt: erased.at,
        error: null,
      };
    }
    if (job) return { companyId, jobId, ...jobState(job) };
    if (await this.companies.erasingSince(companyId)) {
      // Marked but no job (lost with an embedded process, or the queue was down): the reconciler queues it again.
      return {
        companyId,
        jobId,
        state: 'queued',
        progress: null,
        report: null,
        finishedAt: null,
        error: null,
      };
    }
    throw AppError.notFound('erasure of company', companyId);
  }

  private async erasedEntry(companyId: string) {
    const page = await this.audit.list({ companyId, action: 'company.erased', limit: 1 });
    return page.items[0];
  }
}

function jobState(
  job: JobView,
): Pick<ErasureStatus, 'state' | 'progress' | 'report' | 'finishedAt' | 'error'> {
  const state =
    job.state === 'active'
      ? 'running'
      : job.state === 'delayed' || job.state === 'failed'
        ? 'retrying'
        : 'queued';
  return { state, progress: job.progress, report: null, finishedAt: null, error: job.failedReason ?? null };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

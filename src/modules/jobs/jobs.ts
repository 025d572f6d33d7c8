/**
 * Every queue, job name, payload type and job option in one place. Payloads always carry company_id:
 * a job never works across companies.
 */
export const INGEST_QUEUE = 'ingest';

/** Bull Board UI (services mode), behind the admin key. */
export const BULL_BOARD_ROUTE = '/api/v1/admin/queues/board';

export const JobName = {
  IngestRange: 'ingest-range',
  IndexChanges: 'index-changes',
  Warm: 'warm',
  // Data lifecycle (issue 21)
  PurgeDeleted: 'purge-deleted',
  ApplyRetention: 'apply-retention',
  EraseCompany: 'erase-company',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export type DataType = 'tickets' | 'articles';

export interface IngestRangePayload {
  companyId: string;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  startDate: string;
  endDate: string;
  dataTypes: DataType[];
  force: boolean;
}

export interface IndexChangesPayload {
  companyId: string;
  dataTypes: DataType[];
}

export interface WarmPayload {
  companyId: string;
}

// ---- Data lifecycle (issue 21): the deletion outbox ----

/** Removes the vector and keyword entries of the company's tombstoned tickets and articles. */
export interface PurgeDeletedPayload {
  companyId: string;
}

export interface PurgeResult {
  purged: number;
  /** Tombstoned ids upserted again while the purge ran: marked pending so they are indexed again. */
  recreated: number;
}

/**
 * Deletes the company's tickets last updated before `asOf` minus its retention (read when the job runs), through
 * the deletion outbox. `asOf` is the scheduled tick's minute: every worker's tick of one schedule names the same job.
 */
export interface ApplyRetentionPayload {
  companyId: string;
  /** ISO time the retention window ends at. */
  asOf: string;
}

export interface RetentionResult {
  /** null: the company has no tickets policy (cleared since the job was enqueued). */
  ticketsDays: number | null;
  cutoff: string | null;
  deleted: number;
}

/** Erases everything of one company (DELETE /admin/companies/{id}); its keys were revoked before it was queued. */
export interface EraseCompanyPayload {
  companyId: string;
  /** The admin key that asked (audit log actor of `company.erased`). */
  actorKeyId: string;
}

/** What an erasure removed, summed over every store's eraser. */
export interface ErasureReport {
  rows: number;
  vectors: number;
  cache_keys: number;
  jobs: number;
  keys: number;
}

/** One erasure per company: a second request while it is queued or running joins it. */
export const eraseCompanyJobId = (companyId: string): string => `erase-company:${companyId}`;

// ---- end of data lifecycle ----

export interface JobPayloads {
  'ingest-range': IngestRangePayload;
  'index-changes': IndexChangesPayload;
  warm: WarmPayload;
  'purge-deleted': PurgeDeletedPayload;
  'apply-retention': ApplyRetentionPayload;
  'erase-company': EraseCompanyPayload;
}

export interface JobProgress {
  processed: number;
  total: number;
  failed: number;
}

export interface IngestStats {
  total: number;
  processed: number;
  indexed: number;
  skipped_unchanged: number;
  failed: number;
  summaries_llm: number;
  summaries_extractive: number;
  duration_ms: number;
}

export interface IngestResult {
  stats: IngestStats;
  /** Every item that failed after its retries (capped at 1,000 in the response). */
  errors: Array<{ id: string; type: DataType; error: string }>;
}

export interface JobOptions {
  /** A fixed id deduplicates: adding a job whose id is still queued is a no-op. */
  jobId?: string;
  attempts: number;
  backoffMs: number;
  removeOnComplete: number | boolean;
  removeOnFail: number | boolean;
}

export const JOB_OPTIONS: Record<JobName, JobOptions> = {
  'ingest-range': { attempts: 3, backoffMs: 5_000, removeOnComplete: 1_000, removeOnFail: 1_000 },
  // Coalesced per company (jobId set by the producer); removed on completion so the next change can enqueue.
  'index-changes': { attempts: 5, backoffMs: 2_000, removeOnComplete: true, removeOnFail: 100 },
  warm: { attempts: 2, backoffMs: 10_000, removeOnComplete: 100, removeOnFail: 100 },
  // Coalesced per company like index-changes; retried: the tombstones stay until it succeeds.
  'purge-deleted': { attempts: 5, backoffMs: 2_000, removeOnComplete: true, removeOnFail: 100 },
  // One per company and tick (jobId set by the scheduler): kept after completion so a later tick of another
  // worker for the same minute is a no-op; a run is idempotent anyway.
  'apply-retention': { attempts: 3, backoffMs: 30_000, removeOnComplete: 10_000, removeOnFail: 1_000 },
  // Resumable, so retried generously; removed when done (the report lives in the audit log, and the queue must
  // keep nothing of an erased company). A failed one is removed too: the erasure reconciler enqueues it again
  // while the company is still marked erasing.
  'erase-company': { attempts: 8, backoffMs: 5_000, removeOnComplete: true, removeOnFail: true },
};

export const MAX_REPORTED_ERRORS = 1_000;

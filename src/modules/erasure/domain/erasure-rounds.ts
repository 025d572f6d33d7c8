import type { ErasureCounts } from '../../../common/tenancy/company-data';
import type { ErasureReport } from '../../jobs/jobs';

/** Erasers at or above this order run once everything before them is clean (the company row: its mark resumes a crash). */
export const FINAL_ORDER = 100;

export function emptyReport(): ErasureReport {
  return { rows: 0, vectors: 0, cache_keys: 0, jobs: 0, keys: 0 };
}

/** Adds one eraser's counts into the report (absent fields count 0). */
export function addCounts(report: ErasureReport, counts: ErasureCounts): ErasureReport {
  return {
    rows: report.rows + (counts.rows ?? 0),
    vectors: report.vectors + (counts.vectors ?? 0),
    cache_keys: report.cache_keys + (counts.cache_keys ?? 0),
    jobs: report.jobs + (counts.jobs ?? 0),
    keys: report.keys + (counts.keys ?? 0),
  };
}

/** Erasers by `order`, ties by store name: a stable, reviewable sequence. */
export function byOrder<T extends { order: number; store: string }>(erasers: T[]): T[] {
  return [...erasers].sort((a, b) => a.order - b.order || a.store.localeCompare(b.store));
}

/** Residue per store, only the non-zero ones. */
export function nonZero(residue: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(residue).filter(([, n]) => n > 0));
}

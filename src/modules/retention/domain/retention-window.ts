const DAY_MS = 86_400_000;

/** Bounds of a policy: a day to a century of tickets, an hour to a year of sessions. */
export const RETENTION_BOUNDS = {
  ticketsDays: { min: 1, max: 36_500 },
  sessionsHours: { min: 1, max: 8_760 },
} as const;

/** Tickets last updated strictly before this are past a `days`-day window ending at `asOf`. */
export function ticketsCutoff(asOf: Date, days: number): Date {
  return new Date(asOf.getTime() - days * DAY_MS);
}

/**
 * The minute a scheduler tick belongs to: every worker's tick of one schedule fires within it, so they name the
 * same job (`retentionJobId`) and only the first add counts.
 */
export function retentionSlot(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

export function retentionJobId(companyId: string, asOf: Date): string {
  return `apply-retention:${companyId}:${asOf.toISOString()}`;
}

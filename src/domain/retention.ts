const DAY_MS = 86_400_000;

/**
 * The instant before which visits are purged for a retention of `days` whole days: UTC midnight
 * `days` days before `now`'s UTC day. Whole UTC days, so a purge removes whole quarter-hour
 * buckets and whole rows of visit_stats, and running it twice in a day removes nothing new.
 * Undefined for 0: keep forever.
 */
export function retentionCutoff(now: Date, days: number): Date | undefined {
  if (days <= 0) return undefined;
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(todayStart - days * DAY_MS);
}

/**
 * The first day of tracked sites' visitor state to keep (YYYY-MM-DD): a date's key is used by
 * sites in every time zone, from UTC+14 to UTC-12, so it is in use until noon UTC the next day;
 * two days back from today (UTC) leaves a margin, and anything older is never consulted again.
 */
export function visitorStateCutoff(now: Date): string {
  const todayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(todayStart - 2 * DAY_MS).toISOString().slice(0, 10);
}

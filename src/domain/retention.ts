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

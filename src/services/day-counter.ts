import type { RequestCount, RequestCounts } from '../data/counter-reads';
import type { VisitDatabase } from '../data/visit-database';
import { setBounded } from '../domain/bounded-map';
import { BUCKET_MS } from '../domain/time';

/**
 * A day's counters without re-reading the part of the day that can no longer change.
 *
 * A visit is counted in the quarter-hour bucket of the moment it was recorded, so once a bucket
 * has ended (plus `settleMs` for clock skew between replicas and slow commits) its counts are
 * final. Those are read once and kept; each read then fetches only the all-time rows and the
 * buckets not yet settled (at most two), instead of every bucket of the day so far (up to
 * 96 × servers × shards rows by the evening). The result is exactly what requestCounts over the
 * whole day returns.
 *
 * One counter belongs to one database, the primary: a lagging read replica would have it keep
 * buckets that are not complete there yet. `settleMs` 0 reads the whole day every time.
 */
export interface DayCounter {
  read(db: VisitDatabase, range: { start: Date; end: Date }, now: Date): Promise<RequestCounts>;
}

/** Day ranges kept: today's in a few time zones at most; the oldest goes first. */
const MAX_RANGES = 16;

interface SettledBuckets {
  /** Buckets starting before this instant are in `perBucket` (absent: no requests). */
  upTo: number;
  perBucket: Map<number, RequestCount>;
}

export function createDayCounter(settleMs: number): DayCounter {
  const ranges = new Map<string, SettledBuckets>();

  return {
    async read(db, range, now) {
      const start = range.start.getTime();
      const end = range.end.getTime();
      const settledEnd = Math.min(end, Math.floor((now.getTime() - settleMs) / BUCKET_MS) * BUCKET_MS);
      if (settleMs <= 0 || settledEnd <= start) return db.requestCounts(range.start, range.end);

      const key = `${start}:${end}`;
      let settled = ranges.get(key);
      // A clock that went back (or a first read) starts the range afresh.
      if (settled === undefined || settled.upTo > settledEnd) settled = { upTo: start, perBucket: new Map() };
      const [newlySettled, live] = await Promise.all([
        settled.upTo < settledEnd ? db.bucketRequestCounts(new Date(settled.upTo), new Date(settledEnd)) : undefined,
        db.requestCounts(new Date(settledEnd), range.end),
      ]);
      if (newlySettled !== undefined) {
        // A new object rather than a mutation: concurrent requests may extend the same range.
        settled = { upTo: settledEnd, perBucket: new Map([...settled.perBucket, ...newlySettled]) };
      }
      setBounded(ranges, key, settled, MAX_RANGES);
      return { perServer: live.perServer, perBucket: new Map([...settled.perBucket, ...live.perBucket]) };
    },
  };
}

/** Reads the whole day every time: for reads that may come from a replica. */
export const WHOLE_DAY: DayCounter = {
  read: (db, range) => db.requestCounts(range.start, range.end),
};

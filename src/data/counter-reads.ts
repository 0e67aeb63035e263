import { and, countDistinct, eq, gte, lt, or, sql, sum } from 'drizzle-orm';
import { ALL_TIME_BUCKET, bucketVisitors, visitCounters } from '../../db/schema';
import type { DatabaseHandle } from './database';
import { builtStatement, runStatement } from './statements';

/**
 * Reads of the summary tables. None of them costs more as the visits table grows: each is a
 * range of buckets, bounded by the buckets (and the visitors) in the range asked for
 * (test/data/query-plans.test.ts EXPLAINs each one).
 */

/** A number of requests, and how many of them came from bots. */
export interface RequestCount {
  requests: number;
  botRequests: number;
}

export interface RequestCounts {
  /** All-time requests per server, by server id. */
  perServer: ({ serverId: string } & RequestCount)[];
  /** Requests per quarter-hour bucket in the range, keyed by the bucket's epoch milliseconds. */
  perBucket: Map<number, RequestCount>;
}

/** Distinct visitors in a period: every address, and the addresses with at least one human visit. */
export interface VisitorCounts {
  all: number;
  humans: number;
}

export interface CounterReads {
  /**
   * All-time requests per server and requests per bucket in [start, end), in one read of
   * visit_counters: the all-time rows plus one range of buckets, at most
   * (buckets in the range + 1) × servers × shards rows however many visits there are.
   */
  requestCounts(start: Date, end: Date): Promise<RequestCounts>;
  /**
   * Requests per bucket in [start, end), all servers together, without the all-time rows: the
   * part of a day that no longer changes, read once and kept (src/services/day-counter.ts).
   */
  bucketRequestCounts(start: Date, end: Date): Promise<Map<number, RequestCount>>;
  /**
   * Distinct visitor addresses in [start, end), with and without bots, in one pass over the
   * period's rows: bounded by that period's visitors, not its visits.
   */
  uniqueVisitors(start: Date, end: Date): Promise<VisitorCounts>;
}

const placeholder = sql.placeholder;

type Range = 'start' | 'end';

/** Built once per handle on the schema, run on the driver with rows as arrays (src/data/statements.ts). */
export function createCounterReads({ db, driver }: DatabaseHandle): CounterReads {
  const requestCountsStatement = builtStatement<Range>(
    db
      .select({
        bucketStart: visitCounters.bucketStart,
        serverId: visitCounters.serverId,
        requests: sum(visitCounters.requests),
        botRequests: sum(visitCounters.botRequests),
      })
      .from(visitCounters)
      .where(
        or(
          eq(visitCounters.bucketStart, ALL_TIME_BUCKET),
          and(gte(visitCounters.bucketStart, placeholder('start')), lt(visitCounters.bucketStart, placeholder('end'))),
        ),
      )
      .groupBy(visitCounters.bucketStart, visitCounters.serverId)
      .toSQL(),
  );
  const bucketRequestCountsStatement = builtStatement<Range>(
    db
      .select({
        bucketStart: visitCounters.bucketStart,
        requests: sum(visitCounters.requests),
        botRequests: sum(visitCounters.botRequests),
      })
      .from(visitCounters)
      .where(and(gte(visitCounters.bucketStart, placeholder('start')), lt(visitCounters.bucketStart, placeholder('end'))))
      .groupBy(visitCounters.bucketStart)
      .toSQL(),
  );
  const uniqueVisitorsStatement = builtStatement<Range>(
    db
      .select({
        visitors: countDistinct(bucketVisitors.ipAddress),
        humans: sql<number>`COUNT(DISTINCT CASE WHEN ${bucketVisitors.isBot} = 0 THEN ${bucketVisitors.ipAddress} END)`,
      })
      .from(bucketVisitors)
      .where(and(gte(bucketVisitors.bucketStart, placeholder('start')), lt(bucketVisitors.bucketStart, placeholder('end'))))
      .toSQL(),
  );
  const allTime = ALL_TIME_BUCKET.getTime();

  return {
    async requestCounts(start, end) {
      const rows = await runStatement(driver, requestCountsStatement, { start, end });
      const perServer: RequestCounts['perServer'] = [];
      const perBucket = new Map<number, RequestCount>();
      for (const [bucketStart, serverId, requests, botRequests] of rows) {
        const count = { requests: Number(requests ?? 0), botRequests: Number(botRequests ?? 0) };
        const bucket = (bucketStart as Date).getTime();
        if (bucket === allTime) perServer.push({ serverId: String(serverId), ...count });
        else {
          const sofar = perBucket.get(bucket) ?? { requests: 0, botRequests: 0 };
          perBucket.set(bucket, {
            requests: sofar.requests + count.requests,
            botRequests: sofar.botRequests + count.botRequests,
          });
        }
      }
      perServer.sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
      return { perServer, perBucket };
    },

    async bucketRequestCounts(start, end) {
      const rows = await runStatement(driver, bucketRequestCountsStatement, { start, end });
      return new Map(
        rows.map(([bucketStart, requests, botRequests]) => [
          (bucketStart as Date).getTime(),
          { requests: Number(requests ?? 0), botRequests: Number(botRequests ?? 0) },
        ]),
      );
    },

    async uniqueVisitors(start, end) {
      const [row] = await runStatement(driver, uniqueVisitorsStatement, { start, end });
      return { all: Number(row?.[0] ?? 0), humans: Number(row?.[1] ?? 0) };
    },
  };
}

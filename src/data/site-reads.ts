import { and, asc, between, countDistinct, desc, eq, gt, gte, inArray, lt, lte, or, sql, sum } from 'drizzle-orm';
import type { AnyMySqlColumn } from 'drizzle-orm/mysql-core';
import { siteCounters, siteDayValues, siteEvents } from '../../db/schema';
import type { Site } from '../domain/site';
import { SITE_DIMENSIONS, SITE_TOTAL } from '../domain/site-dimensions';
import type { DatabaseHandle } from './database';
import { listSites } from './sites';

/**
 * The statements behind the tracked sites' figures. Each reads rollups by a prefix of their
 * primary key, so its cost is the number of distinct days, buckets or values in the range asked
 * for, never the number of events (test/data/query-plans.test.ts EXPLAINs every one).
 */
export interface SiteReads {
  listSites(): Promise<Site[]>;
  /** Page views and visitors of each of the site's days from..to (YYYY-MM-DD, inclusive) that had any. */
  siteDays(siteId: number, from: string, to: string): Promise<DayFigure[]>;
  /** Page views and visitors of each UTC quarter hour in [start, end) that had any. */
  siteBuckets(siteId: number, start: Date, end: Date): Promise<BucketFigure[]>;
  /** The `limit` values of each dimension with most page views over the site's days from..to. */
  siteTopValues(siteId: number, from: string, to: string, limit: number): Promise<ValueFigure[]>;
  /** Distinct people who viewed a page since `since` (bots left out). */
  liveVisitors(siteId: number, since: Date): Promise<number>;
  /** A dimension's day figures in (day, value) order, after `after`, `limit` at a time (keyset pages). */
  siteDayValues(
    siteId: number,
    dimension: number,
    range: { from: string; to: string },
    after: DayValueKey | undefined,
    limit: number,
  ): Promise<DayValue[]>;
}

export interface DayFigure {
  day: string;
  pageviews: number;
  visitors: number;
}

export interface BucketFigure {
  bucketStart: Date;
  pageviews: number;
  visitors: number;
}

export interface ValueFigure {
  dimension: number;
  value: string;
  pageviews: number;
  visitors: number;
}

export interface DayValueKey {
  day: string;
  value: string;
}

export interface DayValue extends DayValueKey {
  pageviews: number;
  visitors: number;
}

/** SUM of a count column as a number: MySQL and MariaDB sum BIGINTs as DECIMAL, which mysql2 returns as a string. */
const summed = (column: AnyMySqlColumn) => sql<number>`cast(${sum(column)} as unsigned)`.mapWith(Number);

const DIMENSION_CODES = SITE_DIMENSIONS.map((dimension) => dimension.code);

export function createSiteReads(handle: DatabaseHandle): SiteReads {
  const { db } = handle;
  const pageviews = summed(siteDayValues.pageviews);
  const visitors = summed(siteDayValues.visitors);

  return {
    listSites: () => listSites(db),

    siteDays: (siteId, from, to) =>
      db
        .select({ day: siteDayValues.day, pageviews: siteDayValues.pageviews, visitors: siteDayValues.visitors })
        .from(siteDayValues)
        .where(
          and(
            eq(siteDayValues.siteId, siteId),
            eq(siteDayValues.dimension, SITE_TOTAL),
            between(siteDayValues.day, from, to),
            eq(siteDayValues.value, ''),
          ),
        )
        .orderBy(asc(siteDayValues.day)),

    siteBuckets: (siteId, start, end) =>
      db
        .select({
          bucketStart: siteCounters.bucketStart,
          pageviews: summed(siteCounters.pageviews),
          visitors: summed(siteCounters.visitors),
        })
        .from(siteCounters)
        .where(and(eq(siteCounters.siteId, siteId), gte(siteCounters.bucketStart, start), lt(siteCounters.bucketStart, end)))
        .groupBy(siteCounters.bucketStart)
        .orderBy(asc(siteCounters.bucketStart)),

    async siteTopValues(siteId, from, to, limit) {
      // Each dimension's values summed over the range and ranked in the server, so only the top
      // `limit` of each come back. IN on `dimension` then a range on `day`: one index range per
      // dimension (MySQL 8.4 and MariaDB 10.11 both; window functions since 8.0 / 10.2).
      const totals = db
        .select({
          dimension: siteDayValues.dimension,
          value: siteDayValues.value,
          pageviews: pageviews.as('pageviews'),
          visitors: visitors.as('visitors'),
          rank: sql<number>`row_number() over (partition by ${siteDayValues.dimension} order by ${sum(siteDayValues.pageviews)} desc, ${siteDayValues.value})`.as(
            'value_rank',
          ),
        })
        .from(siteDayValues)
        .where(
          and(
            eq(siteDayValues.siteId, siteId),
            inArray(siteDayValues.dimension, DIMENSION_CODES),
            between(siteDayValues.day, from, to),
          ),
        )
        .groupBy(siteDayValues.dimension, siteDayValues.value)
        .as('totals');
      const rows = await db
        .select({ dimension: totals.dimension, value: totals.value, pageviews: totals.pageviews, visitors: totals.visitors })
        .from(totals)
        .where(sql`${totals.rank} <= ${limit}`)
        .orderBy(asc(totals.dimension), desc(totals.pageviews), asc(totals.value));
      return rows.map((row) => ({ ...row, pageviews: Number(row.pageviews), visitors: Number(row.visitors) }));
    },

    async liveVisitors(siteId, since) {
      const [row] = await db
        .select({ visitors: countDistinct(siteEvents.visitorHash) })
        .from(siteEvents)
        .where(and(eq(siteEvents.siteId, siteId), gte(siteEvents.occurredAt, since), eq(siteEvents.isBot, false)));
      return row?.visitors ?? 0;
    },

    siteDayValues: (siteId, dimension, range, after, limit) =>
      db
        .select({
          day: siteDayValues.day,
          value: siteDayValues.value,
          pageviews: siteDayValues.pageviews,
          visitors: siteDayValues.visitors,
        })
        .from(siteDayValues)
        .where(
          and(
            eq(siteDayValues.siteId, siteId),
            eq(siteDayValues.dimension, dimension),
            after === undefined
              ? between(siteDayValues.day, range.from, range.to)
              : or(
                  and(eq(siteDayValues.day, after.day), gt(siteDayValues.value, after.value)),
                  and(gt(siteDayValues.day, after.day), lte(siteDayValues.day, range.to)),
                ),
          ),
        )
        .orderBy(asc(siteDayValues.day), asc(siteDayValues.value))
        .limit(limit),
  };
}

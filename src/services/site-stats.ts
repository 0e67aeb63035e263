import type { DayValue, ValueFigure } from '../data/site-reads';
import type { Site } from '../domain/site';
import { SITE_DIMENSIONS, SITE_TOTAL, type TopListKey } from '../domain/site-dimensions';
import { BUCKET_MS, datesBetween, localDayRange, localHours } from '../domain/time';
import type { ReadRouting } from './read-routing';

/**
 * The tracked sites' figures as the API and the dashboard show them. Everything comes from the
 * rollups (src/data/site-reads.ts): days of the site from site_day_values, hours and other time
 * zones from the quarter-hour counters. Reads may go to a replica.
 */
export interface SiteStats {
  listSites(): Promise<Site[]>;
  figures(site: Site, range: StatsRange): Promise<SiteFigures>;
  /** Distinct people with a page view in the last LIVE_WINDOW_MS. */
  liveVisitors(site: Site): Promise<number>;
  /** Every day figure of the range, dimension by dimension, read a page at a time. */
  dayValues(site: Site, range: { from: string; to: string }): AsyncIterable<DayValueRow>;
}

export const LIVE_WINDOW_MS = 5 * 60_000;
const EXPORT_PAGE = 1_000;

export interface StatsRange {
  /** Local dates in `timeZone`, YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  timeZone: string;
  limit: number;
}

export interface Figure {
  pageviews: number;
  visitors: number;
}

export interface SiteFigures extends Figure {
  /** One entry per local hour for a single day, per local day for longer ranges, zeros included. */
  series: ({ start: Date } & Figure)[];
  top: Record<TopListKey, ({ value: string } & Figure)[]>;
}

export interface DayValueRow extends DayValue {
  /** The dimension's name: `total` for the site as a whole, else its top list's key. */
  dimension: string;
}

export interface SiteStatsOptions {
  reads: ReadRouting;
  clock: () => Date;
}

export function createSiteStats({ reads, clock }: SiteStatsOptions): SiteStats {
  return {
    listSites: () => reads.read((db) => db.listSites()),

    async figures(site, range) {
      const [series, totals, values] = await reads.read(async (db) => {
        const top = await db.siteTopValues(site.id, range.from, range.to, range.limit);
        if (range.timeZone === site.timeZone && range.from !== range.to) {
          // The site's own days: one row per day, visitors exact per day.
          const days = new Map((await db.siteDays(site.id, range.from, range.to)).map((day) => [day.day, day]));
          const series = datesBetween(range.from, range.to).map((date) => ({
            start: localDayRange(date, range.timeZone).start,
            pageviews: days.get(date)?.pageviews ?? 0,
            visitors: days.get(date)?.visitors ?? 0,
          }));
          return [series, sumOf(series), top] as const;
        }
        const start = localDayRange(range.from, range.timeZone).start;
        const end = localDayRange(range.to, range.timeZone).end;
        const buckets = new Map((await db.siteBuckets(site.id, start, end)).map((row) => [row.bucketStart.getTime(), row]));
        const over = (from: Date, to: Date): Figure => {
          const figure = { pageviews: 0, visitors: 0 };
          for (let t = from.getTime(); t < to.getTime(); t += BUCKET_MS) {
            const bucket = buckets.get(t);
            if (bucket === undefined) continue;
            figure.pageviews += bucket.pageviews;
            figure.visitors += bucket.visitors;
          }
          return figure;
        };
        const series =
          range.from === range.to
            ? localHours({ start, end }, range.timeZone).map((hour) => ({
                start: hour.start,
                pageviews: hour.buckets.reduce((total, bucket) => total + (buckets.get(bucket.getTime())?.pageviews ?? 0), 0),
                visitors: hour.buckets.reduce((total, bucket) => total + (buckets.get(bucket.getTime())?.visitors ?? 0), 0),
              }))
            : datesBetween(range.from, range.to).map((date) => {
                const day = localDayRange(date, range.timeZone);
                return { start: day.start, ...over(day.start, day.end) };
              });
        let totals = sumOf(series);
        // One day of the site's own: its visitors exactly, from the day row.
        if (range.timeZone === site.timeZone) {
          const [day] = await db.siteDays(site.id, range.from, range.to);
          totals = { pageviews: totals.pageviews, visitors: day?.visitors ?? 0 };
        }
        return [series, totals, top] as const;
      });
      return { ...totals, series, top: topLists(values) };
    },

    liveVisitors: (site) => reads.read((db) => db.liveVisitors(site.id, new Date(clock().getTime() - LIVE_WINDOW_MS))),

    dayValues(site, range) {
      // One database for the whole export, taken now, while the request is being handled: the
      // pages are read as the response streams, after the handler has returned, when on the
      // Worker the request's connection is no longer "current" (src/runtime/worker/index.ts
      // keeps it open until the body is done).
      const database = reads.read(async (db) => db);
      return (async function* () {
        const db = await database;
        for (const dimension of [{ code: SITE_TOTAL, key: 'total' }, ...SITE_DIMENSIONS]) {
          let after: DayValue | undefined;
          for (;;) {
            const page = await db.siteDayValues(site.id, dimension.code, range, after, EXPORT_PAGE);
            for (const row of page) yield { ...row, dimension: dimension.key };
            after = page.at(-1);
            if (page.length < EXPORT_PAGE) break;
          }
        }
      })();
    },
  };
}

function sumOf(series: readonly Figure[]): Figure {
  return series.reduce(
    (total, entry) => ({ pageviews: total.pageviews + entry.pageviews, visitors: total.visitors + entry.visitors }),
    {
      pageviews: 0,
      visitors: 0,
    },
  );
}

function topLists(values: readonly ValueFigure[]): SiteFigures['top'] {
  const top = Object.fromEntries(SITE_DIMENSIONS.map((dimension) => [dimension.key, []])) as unknown as SiteFigures['top'];
  const keyOf = new Map(SITE_DIMENSIONS.map((dimension) => [dimension.code, dimension.key]));
  for (const row of values) {
    const key = keyOf.get(row.dimension);
    if (key !== undefined) top[key].push({ value: row.value, pageviews: row.pageviews, visitors: row.visitors });
  }
  return top;
}

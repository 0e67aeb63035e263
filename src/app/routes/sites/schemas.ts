import * as v from 'valibot';
import type { Site } from '../../../domain/site';
import { SITE_DIMENSIONS } from '../../../domain/site-dimensions';
import { isCalendarDate, isTimeZone } from '../../../domain/time';
import { UNKNOWN_PARAMETER } from '../../query';
import { count, instant } from '../fields';

/** The tracked sites' read API: what each route takes and what it answers. */

export const TOP_LIST_MAX = 100;

const calendarDate = v.pipe(v.string(), v.check(isCalendarDate, 'must be a calendar date written YYYY-MM-DD'));

const rangeEntries = {
  from: v.optional(calendarDate),
  to: v.optional(calendarDate),
};

/** The longest range the figures take: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** Days from..to, both included. */
export const daysSpanned = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
export const reversedRange = (from: string) => `must not be before from (${from})`;
export const longRange = (days: number) => `the range may span at most ${MAX_RANGE_DAYS} days; this one spans ${days}`;

type Range = { from?: string | undefined; to?: string | undefined };

// A range given in full is checked with the query; one completed with today, by the route.
const inOrder = (input: Range) => input.from === undefined || input.to === undefined || input.from <= input.to;
const withinAYear = (input: Range) =>
  input.from === undefined || input.to === undefined || daysSpanned(input.from, input.to) <= MAX_RANGE_DAYS;
const reversedMessage = (issue: v.PartialCheckIssue<Range>) => reversedRange(issue.input.from ?? '');
const longMessage = (issue: v.PartialCheckIssue<Range>) => longRange(daysSpanned(issue.input.from ?? '', issue.input.to ?? ''));

export const SiteStatsQuery = v.pipe(
  v.strictObject(
    {
      ...rangeEntries,
      tz: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone name such as UTC or Europe/Paris'))),
      limit: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^\d{1,3}$/, `must be a whole number from 1 to ${TOP_LIST_MAX}`),
          v.transform(Number),
          v.minValue(1, `must be a whole number from 1 to ${TOP_LIST_MAX}`),
          v.maxValue(TOP_LIST_MAX, `must be a whole number from 1 to ${TOP_LIST_MAX}`),
        ),
        '10',
      ),
    },
    UNKNOWN_PARAMETER,
  ),
  v.forward(v.partialCheck([['from'], ['to']], inOrder, reversedMessage), ['to']),
  v.forward(v.partialCheck([['from'], ['to']], withinAYear, longMessage), ['from']),
);

export const DashboardQuery = v.pipe(
  v.strictObject(
    {
      ...rangeEntries,
      range: v.optional(
        v.picklist(['today', '7d', '30d', '12mo', 'custom'], 'must be one of today, 7d, 30d, 12mo, custom'),
        'today',
      ),
    },
    UNKNOWN_PARAMETER,
  ),
  v.forward(v.partialCheck([['from'], ['to']], inOrder, reversedMessage), ['to']),
  v.forward(v.partialCheck([['from'], ['to']], withinAYear, longMessage), ['from']),
);

export const SiteExportQuery = v.pipe(
  v.strictObject(rangeEntries, UNKNOWN_PARAMETER),
  v.forward(v.partialCheck([['from'], ['to']], inOrder, reversedMessage), ['to']),
  v.forward(v.partialCheck([['from'], ['to']], withinAYear, longMessage), ['from']),
);

export const SiteBody = v.strictObject({
  domain: v.pipe(v.string(), v.description('the canonical domain, as page views name it')),
  name: v.string(),
  public: v.pipe(v.boolean(), v.description('whether anyone may read its figures')),
  time_zone: v.pipe(v.string(), v.description('the IANA zone its days are counted in')),
  created_at: instant,
});

export const SitesBody = v.strictObject({
  sites: v.pipe(v.array(SiteBody), v.description('every registered site an administrator may see; public ones for anyone else')),
});

const figure = { pageviews: count, visitors: count };

const TopEntry = v.strictObject({ value: v.string(), ...figure });

export const SiteStatsBody = v.strictObject({
  site: v.pipe(v.string(), v.description("the site's domain")),
  from: v.pipe(v.string(), v.isoDate()),
  to: v.pipe(v.string(), v.isoDate()),
  timezone: v.pipe(v.string(), v.description('the IANA zone the range and the series are in')),
  pageviews: v.pipe(count, v.description("people's page views in the range (bots are never counted)")),
  visitors: v.pipe(count, v.description('visitors in the range, each once per day')),
  series: v.pipe(
    v.array(v.strictObject({ start: v.pipe(instant, v.description('UTC start of the hour or day')), ...figure })),
    v.description('every local hour of a one-day range, or every local day of a longer one, zeros included'),
  ),
  top: v.pipe(
    v.strictObject(
      Object.fromEntries(SITE_DIMENSIONS.map((dimension) => [dimension.key, v.array(TopEntry)])) as Record<
        (typeof SITE_DIMENSIONS)[number]['key'],
        v.ArraySchema<typeof TopEntry, undefined>
      >,
    ),
    v.description("each dimension's values with most page views over the site's days from..to, at most `limit` each"),
  ),
});

export const LiveBody = v.strictObject({
  site: v.string(),
  visitors: v.pipe(count, v.description('distinct people with a page view in the window')),
  window_seconds: v.pipe(count, v.description('how far back "now" reaches')),
});

export const SiteCsv = v.pipe(
  v.string(),
  v.description('CSV with a header row: date,dimension,value,pageviews,visitors; one row per day and value'),
);

export type SitesJson = v.InferOutput<typeof SitesBody>;
export type SiteJson = v.InferOutput<typeof SiteBody>;

/** A site as the API shows it. */
export function siteJson(site: Site): SiteJson {
  return {
    domain: site.domain,
    name: site.name,
    public: site.isPublic,
    time_zone: site.timeZone,
    created_at: site.createdAt.toISOString(),
  };
}
export type SiteStatsJson = v.InferOutput<typeof SiteStatsBody>;
export type LiveJson = v.InferOutput<typeof LiveBody>;

import { UnauthorizedBody } from '../../access';
import { InvalidRequestBody, NotFoundBody } from '../../errors';
import { html, json, type OperationDoc, query, type ResponseDoc } from '../../openapi/operation';
import { NoQuery } from '../../query';
import {
  DashboardQuery,
  LiveBody,
  SiteCsv,
  SiteExportQuery,
  SiteStatsBody,
  SiteStatsQuery,
  SitesBody,
  TOP_LIST_MAX,
} from './schemas';

const site = {
  site: { description: "The site's domain as registered (`npm run site -- list`), e.g. `example.com`.", example: 'example.com' },
};

const ACCESS =
  ' A site not marked public needs `Authorization: Bearer <ADMIN_TOKEN>` or a browser session from `/sign-in` (without ADMIN_TOKEN a development server is open, any other refuses); to anyone else a private site and an unknown one both answer 401.';

const unauthorized: ResponseDoc = json(401, 'A private site, and no administrator credentials.', UnauthorizedBody, []);
const unknownSite: ResponseDoc = json(404, 'No site of that domain is registered (asked by an administrator).', NotFoundBody, []);

const range = {
  from: { description: 'First local day, `YYYY-MM-DD`; default `to`.' },
  to: { description: 'Last local day, `YYYY-MM-DD`, inclusive; default today. At most 366 days from `from`.' },
};

export const sitesOperation: OperationDoc = {
  method: 'get',
  path: '/api/sites',
  operationId: 'listSites',
  tag: 'Sites',
  summary: 'The registered sites',
  description: 'Every registered site for an administrator; the public ones for anyone else.',
  query: query(NoQuery, {}),
  responses: [
    json(200, 'The sites, by domain.', SitesBody, [
      {
        name: 'sites',
        summary: 'One site',
        body: {
          sites: [
            {
              domain: 'example.com',
              name: 'Example',
              public: false,
              time_zone: 'Europe/Berlin',
              created_at: '2026-11-01T09:00:00.000Z',
            },
          ],
        },
      },
    ]),
    json(400, 'A parameter it does not take.', InvalidRequestBody, []),
  ],
};

export const siteStatsOperation: OperationDoc = {
  method: 'get',
  path: '/api/sites/:site/stats',
  operationId: 'getSiteStats',
  tag: 'Sites',
  summary: "A site's page views, visitors, series and top lists over a range of days",
  description: `From the rollups only: the cost is the distinct days and values in the range, never the events. A visitor counts once per day. \`series\` is hourly for one day and daily for longer ranges; the top lists cover the site's own days from..to (its time zone), the totals and series \`tz\`'s.${ACCESS}`,
  pathParameters: site,
  query: query(SiteStatsQuery, {
    ...range,
    tz: { description: "An IANA time zone for the range and the series; default the site's own." },
    limit: { description: `Values per top list, 1 to ${TOP_LIST_MAX}; default 10.` },
  }),
  responses: [
    json(200, 'The figures.', SiteStatsBody, [
      {
        name: 'week',
        summary: 'Two days (top lists shortened)',
        query: { from: '2026-11-23', to: '2026-11-24' },
        body: {
          site: 'example.com',
          from: '2026-11-23',
          to: '2026-11-24',
          timezone: 'UTC',
          pageviews: 120,
          visitors: 45,
          series: [
            { start: '2026-11-23T00:00:00.000Z', pageviews: 70, visitors: 25 },
            { start: '2026-11-24T00:00:00.000Z', pageviews: 50, visitors: 20 },
          ],
          top: {
            pages: [{ value: '/pricing', pageviews: 60, visitors: 30 }],
            referrers: [{ value: 'news.ycombinator.com', pageviews: 20, visitors: 18 }],
            utm_sources: [],
            utm_mediums: [],
            utm_campaigns: [],
            browsers: [{ value: 'Firefox', pageviews: 70, visitors: 25 }],
            os: [{ value: 'Linux', pageviews: 70, visitors: 25 }],
            devices: [{ value: 'desktop', pageviews: 100, visitors: 35 }],
            countries: [],
          },
        },
      },
    ]),
    json(400, 'A bad or unknown parameter, or a range that is reversed or longer than a year.', InvalidRequestBody, [
      {
        name: 'reversed',
        summary: 'to before from',
        query: { from: '2026-11-24', to: '2026-11-01' },
        body: { error: 'invalid_request', issues: [{ field: 'to', message: 'must not be before from (2026-11-24)' }] },
      },
      {
        name: 'bad-limit',
        summary: 'A top list longer than allowed',
        query: { limit: '500' },
        body: {
          error: 'invalid_request',
          issues: [{ field: 'limit', message: `must be a whole number from 1 to ${TOP_LIST_MAX}` }],
        },
      },
    ]),
    unauthorized,
    unknownSite,
  ],
};

export const siteLiveOperation: OperationDoc = {
  method: 'get',
  path: '/api/sites/:site/live',
  operationId: 'getSiteLive',
  tag: 'Sites',
  summary: 'Visitors on a site in the last five minutes',
  description: `Distinct people (bots left out) with a page view in the last five minutes.${ACCESS}`,
  pathParameters: site,
  query: query(NoQuery, {}),
  responses: [
    json(200, 'Who is there now.', LiveBody, [
      { name: 'live', summary: 'Three people', body: { site: 'example.com', visitors: 3, window_seconds: 300 } },
    ]),
    json(400, 'A parameter it does not take.', InvalidRequestBody, []),
    unauthorized,
    unknownSite,
  ],
};

export const siteExportOperation: OperationDoc = {
  method: 'get',
  path: '/api/sites/:site/export.csv',
  operationId: 'exportSite',
  tag: 'Sites',
  summary: "A site's day figures per dimension and value, as CSV",
  description: `Streamed: one row per day of the site and value, the site as a whole (\`total\`) first, then each dimension (\`pages\`, \`referrers\`, \`utm_sources\`, …) in turn. Values a spreadsheet would run as a formula are prefixed with \`'\`.${ACCESS}`,
  pathParameters: site,
  query: query(SiteExportQuery, range),
  responses: [
    { status: 200, description: 'The CSV file.', mediaType: 'text/csv', schema: SiteCsv, examples: [] },
    json(400, 'A bad or unknown parameter, or a range that is reversed or longer than a year.', InvalidRequestBody, [
      {
        name: 'long-range',
        summary: 'More than a year',
        query: { from: '2024-01-01', to: '2026-01-01' },
        body: {
          error: 'invalid_request',
          issues: [{ field: 'from', message: 'the range may span at most 366 days; this one spans 732' }],
        },
      },
    ]),
    unauthorized,
    unknownSite,
  ],
};

export const siteIndexOperation: OperationDoc = {
  method: 'get',
  path: '/sites',
  operationId: 'viewSites',
  tag: 'Pages',
  summary: 'The tracked sites, linked to their dashboards',
  description: 'Every site for an administrator, the public ones for anyone else; how to register one when there is none.',
  query: query(NoQuery, {}),
  responses: [html('The list of sites.'), json(400, 'A parameter it does not take.', InvalidRequestBody, [])],
};

export const siteDashboardOperation: OperationDoc = {
  method: 'get',
  path: '/sites/:site',
  operationId: 'viewSiteDashboard',
  tag: 'Pages',
  summary: "A site's dashboard",
  description: `Page views, visitors and who is there now, a chart of the range, the top lists, a site switcher, a CSV link and the tracking snippet, in the site's time zone. No script.${ACCESS}`,
  pathParameters: site,
  query: query(DashboardQuery, {
    range: { description: '`today` (default), `7d`, `30d`, `12mo`, or `custom` with `from` and `to`.' },
    from: { description: 'With range=custom: the first day, `YYYY-MM-DD`.' },
    to: { description: 'With range=custom: the last day, `YYYY-MM-DD`, at most 366 days after `from`.' },
  }),
  responses: [
    html('The dashboard.'),
    json(
      400,
      'A bad or unknown parameter, or a custom range that is incomplete, reversed or longer than a year.',
      InvalidRequestBody,
      [
        {
          name: 'reversed-range',
          summary: 'A custom range that ends before it starts',
          query: { range: 'custom', from: '2026-11-24', to: '2026-11-01' },
          body: { error: 'invalid_request', issues: [{ field: 'to', message: 'must not be before from (2026-11-24)' }] },
        },
      ],
    ),
    html('A private site, and no administrator session: the sign-in form, which comes back here.', 401),
    unknownSite,
  ],
};

import type { Context } from 'hono';
import { Hono } from 'hono';
import { normalizeSiteDomain, type Site } from '../../../domain/site';
import { addDays, todayIn } from '../../../domain/time';
import { LIVE_WINDOW_MS } from '../../../services/site-stats';
import { type Access, unauthorized, viewerOf } from '../../access';
import type { AppDependencies } from '../../dependencies';
import { InvalidRequestError, type NotFoundJson } from '../../errors';
import { errorFields } from '../../logging/logger';
import { headersOf, newStyleNonce } from '../../middleware/response-headers';
import { NoQuery, parseQuery } from '../../query';
import { html as htmlResponse, json } from '../../respond';
import { signInPage } from '../sign-in/route';
import { CSV_HEADER, csvRow } from './csv';
import { type RangeName, renderDashboard, renderSiteIndex } from './dashboard';
import {
  DashboardQuery,
  daysSpanned,
  type LiveJson,
  longRange,
  MAX_RANGE_DAYS,
  SiteExportQuery,
  type SiteStatsJson,
  SiteStatsQuery,
  type SitesJson,
  siteJson,
} from './schemas';

/**
 * The tracked sites' figures: the list of sites, a range's stats, who is on a site now, and the
 * day figures as CSV. A site not marked public is an administrator's only (src/app/access.ts);
 * to anyone else a private site and an unknown one look the same.
 */
export function siteRoutes(deps: AppDependencies, access: Access): Hono {
  const routes = new Hono();

  // The API answers JSON; a browser on a dashboard gets the sign-in form, which brings it back.
  const refuse = (c: Context, forBrowser: boolean) => {
    if (!forBrowser) return unauthorized(c, access, json);
    const url = new URL(c.req.url);
    return signInPage(c, access, { status: 401, next: `${url.pathname}${url.search}` });
  };

  /** The site the path names, if the caller may read it; else the response to give instead. */
  const readableSite = async (c: Context, forBrowser = false): Promise<Site | Response> => {
    const named = c.req.param('site') ?? '';
    const check = normalizeSiteDomain(named);
    if (!check.ok) throw new InvalidRequestError([{ field: 'site', message: check.reason }]);
    const site = await deps.sites.findSite(check.domain);
    if (site?.isPublic === true) return site;
    const isAdmin = await access.isAdmin(c);
    if (site !== undefined && isAdmin) return site;
    if (!isAdmin) return refuse(c, forBrowser);
    return json(
      c,
      {
        error: 'not_found',
        message: `no site ${check.domain} is registered: GET /api/sites lists them, npm run site -- add ${check.domain} registers it`,
      } satisfies NotFoundJson,
      404,
    );
  };

  /** from..to in the zone, defaulting to today; refused when reversed or longer than a year. */
  const rangeOf = (query: { from?: string | undefined; to?: string | undefined }, timeZone: string) => {
    const today = todayIn(timeZone, deps.clock());
    const to = query.to ?? (query.from !== undefined && query.from > today ? query.from : today);
    const from = query.from ?? to;
    // The query's schema checked a range given in full; this one may end today, years after `from`.
    const days = daysSpanned(from, to);
    if (days > MAX_RANGE_DAYS) throw new InvalidRequestError([{ field: 'from', message: longRange(days) }]);
    return { from, to };
  };

  /** The days a dashboard range covers, in the site's zone. */
  const dashboardRange = (query: { range: RangeName; from?: string | undefined; to?: string | undefined }, site: Site) => {
    const today = todayIn(site.timeZone, deps.clock());
    const back = { today: 0, '7d': 6, '30d': 29, '12mo': 364 } as const;
    if (query.range === 'custom') {
      if (query.from === undefined || query.to === undefined) {
        throw new InvalidRequestError([
          { field: query.from === undefined ? 'from' : 'to', message: 'required with range=custom' },
        ]);
      }
      return { name: query.range, from: query.from, to: query.to };
    }
    return { name: query.range, from: addDays(today, -back[query.range]), to: today };
  };

  routes.get('/sites', async (c) => {
    parseQuery(c, NoQuery);
    const viewer = await viewerOf(c, access);
    const isAdmin = viewer !== 'visitor';
    const sites = (await deps.siteStats.listSites()).filter((site) => isAdmin || site.isPublic);
    const styleNonce = newStyleNonce();
    return htmlResponse(c, await renderSiteIndex({ sites, styleNonce, viewer }), {
      styleNonce,
      cacheControl: 'no-store',
    });
  });

  routes.get('/sites/:site', async (c) => {
    const query = parseQuery(c, DashboardQuery);
    const site = await readableSite(c, true);
    if (site instanceof Response) return site;
    const range = dashboardRange(query, site);
    const viewer = await viewerOf(c, access);
    const isAdmin = viewer !== 'visitor';
    const [figures, live, sites] = await Promise.all([
      deps.siteStats.figures(site, { ...range, timeZone: site.timeZone, limit: 10 }),
      deps.siteStats.liveVisitors(site),
      deps.siteStats.listSites(),
    ]);
    const styleNonce = newStyleNonce();
    const page = await renderDashboard({
      site,
      sites: sites.filter((other) => isAdmin || other.isPublic),
      range: { ...range, timeZone: site.timeZone },
      figures,
      live,
      styleNonce,
      viewer,
      origin: publicOrigin(c),
    });
    return htmlResponse(c, page, { styleNonce, cacheControl: 'no-store' });
  });

  routes.get('/api/sites', async (c) => {
    parseQuery(c, NoQuery);
    const isAdmin = await access.isAdmin(c);
    const sites = (await deps.siteStats.listSites()).filter((site) => isAdmin || site.isPublic);
    return json(c, { sites: sites.map(siteJson) } satisfies SitesJson);
  });

  routes.get('/api/sites/:site/stats', async (c) => {
    const query = parseQuery(c, SiteStatsQuery);
    const site = await readableSite(c);
    if (site instanceof Response) return site;
    const timeZone = query.tz ?? site.timeZone;
    const range = rangeOf(query, timeZone);
    const figures = await deps.siteStats.figures(site, { ...range, timeZone, limit: query.limit });
    return json(c, {
      site: site.domain,
      ...range,
      timezone: timeZone,
      pageviews: figures.pageviews,
      visitors: figures.visitors,
      series: figures.series.map((entry) => ({
        start: entry.start.toISOString(),
        pageviews: entry.pageviews,
        visitors: entry.visitors,
      })),
      top: figures.top,
    } satisfies SiteStatsJson);
  });

  routes.get('/api/sites/:site/live', async (c) => {
    parseQuery(c, NoQuery);
    const site = await readableSite(c);
    if (site instanceof Response) return site;
    return json(c, {
      site: site.domain,
      visitors: await deps.siteStats.liveVisitors(site),
      window_seconds: LIVE_WINDOW_MS / 1000,
    } satisfies LiveJson);
  });

  routes.get('/api/sites/:site/export.csv', async (c) => {
    const query = parseQuery(c, SiteExportQuery);
    const site = await readableSite(c);
    if (site instanceof Response) return site;
    const range = rangeOf(query, site.timeZone);
    const rows = deps.siteStats.dayValues(site, range)[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    const requestId = c.get('requestId');
    // Streamed a page of rows at a time: a year of a busy site's values never sits in memory.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(CSV_HEADER));
      },
      async pull(controller) {
        try {
          let chunk = '';
          for (let index = 0; index < 200; index++) {
            const next = await rows.next();
            if (next.done === true) {
              if (chunk !== '') controller.enqueue(encoder.encode(chunk));
              controller.close();
              return;
            }
            chunk += csvRow(next.value);
          }
          controller.enqueue(encoder.encode(chunk));
        } catch (error) {
          // The 200 is already sent: the client sees a cut-off file, and the log says why.
          deps.logger.error('site export failed', { request_id: requestId, site: site.domain, ...errorFields(error) });
          controller.error(error);
        }
      },
    });
    const headers = headersOf(c);
    headers['content-type'] = 'text/csv; charset=utf-8';
    headers['content-disposition'] =
      `attachment; filename="${site.domain.replace(/[^a-z0-9.-]/g, '_')}-${range.from}-${range.to}.csv"`;
    return new Response(body, { status: 200, headers });
  });

  return routes;
}

/**
 * Where browsers reach this server, for the snippet: the scheme a TLS-terminating proxy says it
 * received (nginx sets X-Forwarded-Proto), else the request's own. The header can only change
 * the text of this one uncached page for whoever sends it, so it needs no trust check.
 */
function publicOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const forwarded = c.req.header('x-forwarded-proto');
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : url.protocol.slice(0, -1);
  return `${scheme}://${url.host}`;
}

import type { Context } from 'hono';
import { Hono } from 'hono';
import { pageViewSource } from '../../../domain/page-view';
import { normalizeSiteDomain, originMatchesSite } from '../../../domain/site';
import type { AppDependencies } from '../../dependencies';
import { type ForbiddenJson, InvalidRequestError } from '../../errors';
import { limitBody } from '../../middleware/body-limit';
import { headersOf } from '../../middleware/response-headers';
import { NoQuery, parseJsonBody, parseQuery } from '../../query';
import { json } from '../../respond';
import { incomingPageView } from './incoming';
import { type AcceptedJson, EVENT_BODY_MAX_BYTES, EventBody } from './schemas';

/**
 * POST /api/event: a page view of a registered site, from its tracker script or any sender.
 * Browsers may send it from exactly the site's own origins (CORS); a body without an Origin
 * (a server, a test) is taken as it is. Answered once the page view is committed.
 */
export function eventRoutes(deps: AppDependencies): Hono {
  const routes = new Hono();

  const allowOrigin = (c: Context, origin: string) => {
    const headers = headersOf(c);
    headers['access-control-allow-origin'] = origin;
    headers.vary = 'Origin';
    // sendBeacon reads the answer in no-cors mode, where same-origin would make it a network error.
    headers['cross-origin-resource-policy'] = 'cross-origin';
  };
  const forbiddenOrigin = (c: Context, origin: string) =>
    json(
      c,
      {
        error: 'forbidden_origin',
        message: `${origin} is not an origin of a registered site: register the site (npm run site -- add <domain>) or send from its own pages`,
      } satisfies ForbiddenJson,
      403,
    );

  // The preflight names no site: the Origin alone must be a registered site's. Middleware, not
  // an operation of its own: the API documents it with the POST it precedes.
  routes.use('/api/event', async (c, next) => {
    if (c.req.method !== 'OPTIONS') return next();
    const origin = c.req.header('origin');
    if (origin === undefined) {
      throw new InvalidRequestError([{ field: 'Origin', message: 'a preflight needs the Origin header' }]);
    }
    const site = await deps.sites.siteOfOrigin(origin);
    if (site === undefined) return forbiddenOrigin(c, origin);
    allowOrigin(c, origin);
    const headers = headersOf(c);
    headers['access-control-allow-methods'] = 'POST';
    headers['access-control-allow-headers'] = 'Content-Type';
    headers['access-control-max-age'] = '86400';
    return new Response(null, { status: 204, headers });
  });

  routes.post(
    '/api/event',
    limitBody(
      EVENT_BODY_MAX_BYTES,
      `an event is at most ${EVENT_BODY_MAX_BYTES} bytes of JSON: send the page's URL, referrer and width only`,
    ),
    async (c) => {
      parseQuery(c, NoQuery);
      const at = deps.clock();
      // As JSON whatever its Content-Type: the tracker sends text/plain, which browsers send cross-origin without a preflight.
      const body = parseJsonBody(EventBody, await c.req.text(), '{"site":"example.com","url":"https://example.com/"}');
      const domain = normalizeSiteDomain(body.site);
      if (!domain.ok) throw new InvalidRequestError([{ field: 'site', message: domain.reason }]);
      const site = await deps.sites.findSite(domain.domain);
      if (site === undefined) {
        return json(
          c,
          {
            error: 'unknown_site',
            message: `${domain.domain} is not a registered site: npm run site -- add ${domain.domain}`,
          } satisfies ForbiddenJson,
          403,
        );
      }
      const origin = c.req.header('origin');
      if (origin !== undefined) {
        if (!originMatchesSite(origin, site.domain)) return forbiddenOrigin(c, origin);
        allowOrigin(c, origin);
      }
      const source = pageViewSource({ url: body.url, referrer: body.referrer }, site.domain);
      if (!source.ok) throw new InvalidRequestError([{ field: source.field, message: source.message }]);
      await deps.sites.recordPageView(incomingPageView(c, deps, site, source.view, at));
      const accepted = () => json(c, { status: 'accepted' } satisfies AcceptedJson, 202);
      c.set('answerIfUnavailable', accepted);
      return accepted();
    },
  );

  return routes;
}

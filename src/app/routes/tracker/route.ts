import { Hono } from 'hono';
import * as v from 'valibot';
import { pageViewSource } from '../../../domain/page-view';
import { normalizeSiteDomain } from '../../../domain/site';
import type { AppDependencies } from '../../dependencies';
import { headersOf } from '../../middleware/response-headers';
import { incomingPageView } from '../events/incoming';
import { PixelQuery } from './schemas';
import { scriptEtag, TRACKER_SCRIPT } from './script';

// The smallest transparent 1×1 GIF (43 bytes).
const PIXEL = Uint8Array.from(atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'), (char) => char.charCodeAt(0));
const SCRIPT_ETAG = scriptEtag(TRACKER_SCRIPT);

/** GET /script.js (the tracker) and GET /pixel.gif (a page view without JavaScript). */
export function trackerRoutes(deps: AppDependencies): Hono {
  const routes = new Hono();

  routes.get('/script.js', (c) => {
    const headers = headersOf(c);
    // Loaded by other sites' pages: same-origin would have browsers refuse it.
    headers['cross-origin-resource-policy'] = 'cross-origin';
    headers['cache-control'] = 'public, max-age=86400, stale-while-revalidate=604800';
    headers.etag = SCRIPT_ETAG;
    const known = c.req.header('if-none-match');
    if (known?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === SCRIPT_ETAG)) {
      return new Response(null, { status: 304, headers });
    }
    headers['content-type'] = 'application/javascript; charset=utf-8';
    return new Response(TRACKER_SCRIPT, { status: 200, headers });
  });

  routes.get('/pixel.gif', async (c) => {
    const at = deps.clock();
    const query = v.safeParse(PixelQuery, c.req.query());
    const record = async () => {
      if (!query.success || query.output.site === undefined || query.output.url === undefined) return;
      const domain = normalizeSiteDomain(query.output.site);
      if (!domain.ok) return;
      const site = await deps.sites.findSite(domain.domain);
      if (site === undefined) return;
      const source = pageViewSource({ url: query.output.url, referrer: query.output.ref }, site.domain);
      if (!source.ok) return;
      await deps.sites.recordPageView(incomingPageView(c, deps, site, source.view, at));
    };
    const image = () => {
      const headers = headersOf(c);
      headers['cross-origin-resource-policy'] = 'cross-origin';
      headers['cache-control'] = 'no-store';
      headers['content-type'] = 'image/gif';
      return new Response(PIXEL, { status: 200, headers });
    };
    // An image cannot show an error: a failure is logged, and the pixel served all the same,
    // also when the request's deadline passes (src/app/unavailable.ts).
    c.set('answerIfUnavailable', image);
    await record().catch((error: unknown) =>
      deps.logger.error('pixel page view not recorded', {
        request_id: c.get('requestId'),
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    return image();
  });

  return routes;
}

import type { Context } from 'hono';
import type { PageViewSource } from '../../../domain/page-view';
import type { Site } from '../../../domain/site';
import type { IncomingPageView } from '../../../services/site-tracker';
import type { AppDependencies } from '../../dependencies';

/** A page view as the request tells it: who sent it, as the runtime knows (POST /api/event and the pixel). */
export function incomingPageView(
  c: Context,
  deps: AppDependencies,
  site: Site,
  source: PageViewSource,
  at: Date,
): IncomingPageView {
  return {
    site,
    source,
    clientAddress: deps.clientAddress(c),
    userAgent: c.req.header('user-agent') ?? '',
    country: deps.clientCountry(c),
    at,
    deadline: c.get('deadline'),
  };
}

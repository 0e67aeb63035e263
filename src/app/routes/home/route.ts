import { Hono } from 'hono';
import { decodeHeaderText } from '../../../domain/header-text';
import { todayIn } from '../../../domain/time';
import type { DashboardSnapshot } from '../../../services/visit-store';
import type { AppDependencies } from '../../dependencies';
import { newStyleNonce } from '../../middleware/response-headers';
import { html as htmlResponse } from '../../respond';
import { recordedWithoutFigures } from '../../unavailable';
import { renderDashboard } from './dashboard';

const LATEST_VISITS_SHOWN = 10;

/** GET /: records the visit, then shows the dashboard (including this visit). */
export function homeRoutes(deps: AppDependencies): Hono {
  const { store, settings, instance } = deps;
  const routes = new Hono();
  // Unguessable, so no user agent shown on the page can contain it.
  const noncePlaceholder = `nonce-${crypto.randomUUID()}`;
  // Concurrent page views share one read of the figures (the store decides when); everything on
  // the page but the style nonce is then the same, so it is rendered once per read, with a
  // placeholder each response swaps for its own nonce.
  const rendered = new WeakMap<DashboardSnapshot, string>();
  const render = (date: string, snapshot: DashboardSnapshot): string => {
    let page = rendered.get(snapshot);
    if (page === undefined) {
      page = renderDashboard({
        total: snapshot.figures.total,
        bots: snapshot.figures.bots,
        perServer: snapshot.figures.perServer,
        hours: snapshot.figures.hours,
        latest: snapshot.latest,
        servedBy: instance.serverId,
        environment: settings.environment,
        timeZone: settings.timeZone,
        date,
        styleNonce: noncePlaceholder,
      });
      rendered.set(snapshot, page);
    }
    return page;
  };

  routes.get('/', async (c) => {
    // Hono answers HEAD with the GET route; link checkers and monitors send it, and a HEAD
    // must not change anything: the page's headers, no visit and no read.
    if (c.req.method === 'HEAD') {
      const styleNonce = newStyleNonce();
      return htmlResponse(c, '', { styleNonce, cacheControl: 'no-store' });
    }
    const now = deps.clock();
    await store.recordVisit({
      clientAddress: deps.clientAddress(c),
      userAgent: decodeHeaderText(c.req.header('user-agent') ?? ''),
      requestId: c.get('requestId'),
      at: now,
      deadline: c.get('deadline'),
    });
    // Committed: from here on, a failure to read the figures still answers that it is recorded.
    c.set('answerIfUnavailable', () => recordedWithoutFigures(c));
    // Read after the visit committed, so it is in the figures.
    const date = todayIn(settings.timeZone, now);
    const snapshot = await store.dashboard({ date, timeZone: settings.timeZone }, LATEST_VISITS_SHOWN);
    const page = render(date, snapshot);
    const styleNonce = newStyleNonce();
    return htmlResponse(c, page.replace(noncePlaceholder, styleNonce), { styleNonce, cacheControl: 'no-store' });
  });

  return routes;
}

import { Hono } from 'hono';
import { html } from 'hono/html';
import { listVisits } from '../../data/visits';
import { isBotUserAgent } from '../../domain/bot-detection';
import { resolveClientAddress } from '../../domain/client-ip';
import { decodeHeaderText } from '../../domain/header-text';
import { createIpAnonymizer } from '../../domain/ip-anonymizer';
import { localDayRange, todayIn } from '../../domain/time';
import type { AppDependencies } from '../dependencies';
import { timeQuery } from '../metrics';
import { dayCounts } from '../reports';
import { Dashboard } from '../views/dashboard';

const LATEST_VISITS_SHOWN = 10;

/** GET /: records the visit, then shows the dashboard (including this visit). */
export function homeRoutes(deps: AppDependencies): Hono {
  const home = new Hono();
  // IP_ANONYMIZE: the address is truncated or hashed before it is stored anywhere.
  const anonymize = createIpAnonymizer(deps.config.ipAnonymization, deps.config.timeZone);
  // Unguessable, so no user agent shown on the page can contain it.
  const noncePlaceholder = `nonce-${crypto.randomUUID()}`;

  home.get('/', async (c) => {
    const db = deps.database(c);
    const now = deps.clock();
    const clientAddress = resolveClientAddress(deps.peerAddress(c), c.req.header('x-forwarded-for'), deps.config.trustedProxies);
    const userAgent = decodeHeaderText(c.req.header('user-agent') ?? '');
    const ipAddress = await anonymize(clientAddress, now);
    const outcome = await timeQuery(deps.metrics, 'record_visit', () =>
      deps.recordVisit(c, {
        ipAddress,
        userAgent,
        serverId: deps.serverId,
        visitedAt: now,
        requestId: c.get('requestId'),
        isBot: isBotUserAgent(userAgent),
      }),
    );
    deps.metrics?.visitRecorded(outcome);
    const timeZone = deps.config.timeZone;
    const date = todayIn(timeZone, now);
    // Read and rendered after the visit committed (so it is in the figures), and shared with the
    // page views that committed meanwhile (deps.freshReads): everything on the page but the
    // style nonce is the same for all of them, so the page is rendered once per read with a
    // placeholder that each response swaps for its own nonce.
    const page = await deps.freshReads.read(`home ${date} ${timeZone}`, async () => {
      const [counts, latest] = await Promise.all([
        // The dashboard counts people; bots get a count of their own beside them.
        dayCounts(db, localDayRange(date, timeZone), timeZone, {
          includeBots: false,
          now,
          // The primary's counter: this page always reads the primary.
          counter: deps.dayCounter,
          metrics: deps.metrics,
        }),
        timeQuery(deps.metrics, 'list_visits', () => listVisits(db, {}, LATEST_VISITS_SHOWN)),
      ]);
      const rendered = await html`<!doctype html>${(
        <Dashboard
          total={counts.total}
          bots={counts.bots}
          perServer={counts.perServer}
          hours={counts.hours}
          latest={latest}
          servedBy={deps.serverId}
          environment={deps.config.environment}
          timeZone={timeZone}
          date={date}
          styleNonce={noncePlaceholder}
        />
      )}`;
      return String(rendered);
    });
    c.header('Cache-Control', 'no-store');
    return c.html(page.replace(noncePlaceholder, c.get('secureHeadersNonce') ?? ''));
  });

  return home;
}

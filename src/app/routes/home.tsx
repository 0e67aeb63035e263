import { Hono } from 'hono';
import { html } from 'hono/html';
import { listVisits, recordVisit } from '../../data/visits';
import { resolveClientAddress } from '../../domain/client-ip';
import { decodeHeaderText } from '../../domain/header-text';
import { localDayRange, todayIn } from '../../domain/time';
import type { AppDependencies } from '../dependencies';
import { dayCounts } from '../reports';
import { Dashboard } from '../views/dashboard';

const LATEST_VISITS_SHOWN = 10;

/** GET /: records the visit, then shows the dashboard (including this visit). */
export function homeRoutes(deps: AppDependencies): Hono {
  const home = new Hono();

  home.get('/', async (c) => {
    const db = deps.database(c);
    const now = deps.clock();
    await recordVisit(db, {
      ipAddress: resolveClientAddress(deps.peerAddress(c), c.req.header('x-forwarded-for'), deps.config.trustedProxies),
      userAgent: decodeHeaderText(c.req.header('user-agent') ?? ''),
      serverId: deps.serverId,
      visitedAt: now,
      requestId: c.get('requestId'),
    });
    const timeZone = deps.config.timeZone;
    const date = todayIn(timeZone, now);
    const [counts, latest] = await Promise.all([
      dayCounts(db, localDayRange(date, timeZone), timeZone),
      listVisits(db, {}, LATEST_VISITS_SHOWN),
    ]);
    c.header('Cache-Control', 'no-store');
    return c.html(
      html`<!doctype html>${(
        <Dashboard
          total={counts.total}
          perServer={counts.perServer}
          hours={counts.hours}
          latest={latest}
          servedBy={deps.serverId}
          environment={deps.config.environment}
          timeZone={timeZone}
          date={date}
          styleNonce={c.get('secureHeadersNonce')}
        />
      )}`,
    );
  });

  return home;
}

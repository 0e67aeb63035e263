import { Hono } from 'hono';
import { listVisits, uniqueVisitors } from '../../data/visits';
import { encodeCursor } from '../../domain/cursor';
import { localDayRange, todayIn } from '../../domain/time';
import type { AppDependencies } from '../dependencies';
import { dayCounts, visitJson } from '../reports';
import { parseQuery, StatsQuery, VisitsQuery } from '../validation';

/** GET /api/visits and GET /api/stats. */
export function apiRoutes(deps: AppDependencies): Hono {
  const api = new Hono();

  api.get('/visits', async (c) => {
    const query = parseQuery(c, VisitsQuery);
    const filter = { serverId: query.server_id, since: query.since, until: query.until, before: query.cursor };
    // One extra row tells whether another page exists without counting anything.
    const rows = await listVisits(deps.database(c), filter, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return c.json({
      visits: page.map(visitJson),
      count: page.length,
      next_cursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null,
    });
  });

  api.get('/stats', async (c) => {
    const query = parseQuery(c, StatsQuery);
    const timeZone = query.tz ?? deps.config.timeZone;
    const date = query.date ?? todayIn(timeZone, deps.clock());
    const db = deps.database(c);
    const day = localDayRange(date, timeZone);
    const [counts, visitors] = await Promise.all([dayCounts(db, day, timeZone), uniqueVisitors(db, day.start, day.end)]);
    return c.json({
      total: counts.total,
      server_stats: counts.perServer.map((server) => ({ server_id: server.serverId, requests: server.requests })),
      hourly_stats: counts.hours.map((hour) => ({ hour: hour.hour, start: hour.start.toISOString(), requests: hour.requests })),
      unique_visitors: visitors,
      date,
      timezone: timeZone,
      current_server: deps.serverId,
    });
  });

  return api;
}

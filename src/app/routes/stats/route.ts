import { Hono } from 'hono';
import { todayIn } from '../../../domain/time';
import type { AppDependencies } from '../../dependencies';
import { parseQuery } from '../../query';
import { json } from '../../respond';
import { type StatsJson, StatsQuery } from './schemas';

/** GET /api/stats: a local day's figures. */
export function statsRoutes(deps: AppDependencies): Hono {
  const routes = new Hono();

  routes.get('/api/stats', async (c) => {
    const query = parseQuery(c, StatsQuery);
    const timeZone = query.tz ?? deps.settings.timeZone;
    const date = query.date ?? todayIn(timeZone, deps.clock());
    // The figures may be up to STATS_CACHE_TTL_MS old (docs/caching.md), and come from a replica.
    const stats = await deps.store.dayStats({ date, timeZone }, query.include_bots);
    return json(c, {
      total: stats.total,
      server_stats: stats.perServer.map((server) => ({ server_id: server.serverId, requests: server.requests })),
      hourly_stats: stats.hours,
      unique_visitors: stats.uniqueVisitors,
      include_bots: query.include_bots,
      // Bot requests whatever include_bots says, so a client sees how much was left out.
      bots: { total: stats.bots.total, day: stats.bots.day },
      date,
      timezone: timeZone,
      current_server: deps.instance.serverId,
    } satisfies StatsJson);
  });

  return routes;
}

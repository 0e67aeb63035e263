import { Hono } from 'hono';
import { listVisits, uniqueVisitors } from '../../data/visits';
import { encodeCursor } from '../../domain/cursor';
import { localDayRange, todayIn } from '../../domain/time';
import type { StatsJson, VisitsPageJson } from '../api-contract';
import type { AppDependencies } from '../dependencies';
import { timeQuery } from '../metrics';
import { dayCounts, visitJson } from '../reports';
import { parseQuery, StatsQuery, VisitsQuery } from '../validation';

/** GET /api/visits and GET /api/stats. */
export function apiRoutes(deps: AppDependencies): Hono {
  const api = new Hono();

  api.get('/visits', async (c) => {
    const query = parseQuery(c, VisitsQuery);
    const filter = { serverId: query.server_id, since: query.since, until: query.until, before: query.cursor };
    // One extra row tells whether another page exists without counting anything. A page may
    // lag the primary by the replica's delay (README, "Read replicas").
    const rows = await deps.readReplicas.read(c, (db) =>
      timeQuery(deps.metrics, 'list_visits', () => listVisits(db, filter, query.limit + 1)),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return c.json({
      visits: page.map(visitJson),
      count: page.length,
      next_cursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null,
    } satisfies VisitsPageJson);
  });

  api.get('/stats', async (c) => {
    const query = parseQuery(c, StatsQuery);
    const timeZone = query.tz ?? deps.config.timeZone;
    const date = query.date ?? todayIn(timeZone, deps.clock());
    // The figures may be up to statsCacheTtlMs old (README, "Caching"): unique_visitors reads
    // every visitor row of the day, which is what made this endpoint slow at 1M visits.
    const includeBots = query.include_bots;
    const cacheKey = `stats:${date}:${timeZone}:${includeBots ? 'all' : 'humans'}`;
    const figures = await deps.statsCache.getOrLoad(cacheKey, deps.config.statsCacheTtlMs, async () => {
      const day = localDayRange(date, timeZone);
      const [counts, visitors] = await deps.readReplicas.read(c, (db) =>
        Promise.all([
          dayCounts(db, day, timeZone, {
            includeBots,
            // The whole day: this may be a replica, and the figures are cached anyway.
            now: deps.clock(),
            metrics: deps.metrics,
          }),
          timeQuery(deps.metrics, 'unique_visitors', () => uniqueVisitors(db, day.start, day.end)),
        ]),
      );
      return {
        total: counts.total,
        server_stats: counts.perServer.map((server) => ({ server_id: server.serverId, requests: server.requests })),
        hourly_stats: counts.hours.map((hour) => ({ hour: hour.hour, start: hour.start.toISOString(), requests: hour.requests })),
        unique_visitors: includeBots ? visitors.all : visitors.humans,
        include_bots: includeBots,
        // Bot requests whatever include_bots says, so a client sees how much was left out.
        bots: { total: counts.bots.total, day: counts.bots.day },
      };
    });
    return c.json({ ...figures, date, timezone: timeZone, current_server: deps.serverId } satisfies StatsJson);
  });

  return api;
}

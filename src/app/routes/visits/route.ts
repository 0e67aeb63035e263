import { Hono } from 'hono';
import { encodeCursor } from '../../../domain/cursor';
import type { AppDependencies } from '../../dependencies';
import { parseQuery } from '../../query';
import { json } from '../../respond';
import { type VisitsPageJson, VisitsQuery, visitJson } from './schemas';

/** GET /api/visits: a page of visits, newest first. */
export function visitsRoutes(deps: AppDependencies): Hono {
  const routes = new Hono();

  routes.get('/api/visits', async (c) => {
    const query = parseQuery(c, VisitsQuery);
    const filter = { serverId: query.server_id, since: query.since, until: query.until, before: query.cursor };
    // One extra row tells whether another page exists without counting anything. A page may
    // lag the primary by the replica's delay (docs/read-replicas.md).
    const rows = await deps.store.listVisits(filter, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return json(c, {
      visits: page.map(visitJson),
      count: page.length,
      next_cursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null,
    } satisfies VisitsPageJson);
  });

  return routes;
}

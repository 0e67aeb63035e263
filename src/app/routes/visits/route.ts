import { Hono } from 'hono';
import { encodeCursor } from '../../../domain/cursor';
import type { Visit } from '../../../domain/visit';
import type { AppDependencies } from '../../dependencies';
import { parseQuery } from '../../query';
import { text } from '../../respond';
import { type VisitsPageJson, VisitsQuery, visitJson } from './schemas';

/** GET /api/visits: a page of visits, newest first. */
export function visitsRoutes(deps: AppDependencies): Hono {
  const routes = new Hono();
  // Requests for the same page at the same time share one read (the store decides when), so
  // they also share its serialised body.
  const serialised = new WeakMap<readonly Visit[], { limit: number; body: string }>();
  const pageBody = (rows: readonly Visit[], limit: number): string => {
    const known = serialised.get(rows);
    if (known !== undefined && known.limit === limit) return known.body;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const body = JSON.stringify({
      visits: page.map(visitJson),
      count: page.length,
      next_cursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
    } satisfies VisitsPageJson);
    serialised.set(rows, { limit, body });
    return body;
  };

  routes.get('/api/visits', async (c) => {
    const query = parseQuery(c, VisitsQuery);
    const filter = { serverId: query.server_id, since: query.since, until: query.until, before: query.cursor };
    // One extra row tells whether another page exists without counting anything. A page may
    // lag the primary by the replica's delay (docs/read-replicas.md).
    const rows = await deps.store.listVisits(filter, query.limit + 1);
    return text(c, pageBody(rows, query.limit), 'application/json');
  });

  return routes;
}

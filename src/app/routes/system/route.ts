import { Hono } from 'hono';
import type { AppDependencies } from '../../dependencies';
import { NoQuery, parseQuery } from '../../query';
import { json } from '../../respond';
import type { AliveJson, HealthyJson, InfoJson, UnhealthyJson } from './schemas';

/** GET /info, GET /health (readiness) and GET /health/live (liveness). */
export function systemRoutes(deps: AppDependencies): Hono {
  const { instance, settings } = deps;
  const routes = new Hono();

  routes.get('/info', (c) => {
    parseQuery(c, NoQuery);
    const now = deps.clock();
    return json(c, {
      server_id: instance.serverId,
      environment: settings.environment,
      debug: settings.debug,
      runtime: instance.runtime,
      app_version: instance.appVersion,
      database: instance.database,
      uptime_seconds: Math.max(0, Math.round((now.getTime() - instance.startedAt.getTime()) / 1000)),
      timestamp: now.toISOString(),
    } satisfies InfoJson);
  });

  routes.get('/health', async (c) => {
    parseQuery(c, NoQuery);
    const base = { server_id: instance.serverId, environment: settings.environment };
    const readiness = await deps.health.check();
    if (readiness.state === 'draining') {
      return json(
        c,
        { status: 'unhealthy', reason: 'shutting down', ...base, database: 'not checked' } satisfies UnhealthyJson,
        503,
      );
    }
    const { database, replicas } = readiness;
    const replicaFields = replicas.length > 0 ? { replicas } : {};
    if (database !== 'connected') {
      return json(c, { status: 'unhealthy', ...base, database, ...replicaFields } satisfies UnhealthyJson, 503);
    }
    // A replica that is down only degrades: its reads go to the primary, so this instance
    // still serves everything and must stay in the load balancer.
    const degraded = replicas.some((replica) => replica.status !== 'connected');
    return json(c, { status: degraded ? 'degraded' : 'healthy', ...base, database, ...replicaFields } satisfies HealthyJson, 200);
  });

  // Liveness: answers while the event loop does, whatever the database is doing.
  routes.get('/health/live', (c) => json(c, { status: 'alive', server_id: instance.serverId } satisfies AliveJson));

  return routes;
}

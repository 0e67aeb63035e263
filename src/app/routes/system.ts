import { Hono } from 'hono';
import { checkDatabase } from '../../data/visits';
import type { AliveJson, HealthyJson, InfoJson, UnhealthyJson } from '../api-contract';
import type { AppDependencies } from '../dependencies';
import { timeQuery } from '../metrics';
import { NoQuery, parseQuery } from '../validation';

/** GET /info, GET /health (readiness) and GET /health/live (liveness). */
export function systemRoutes(deps: AppDependencies): Hono {
  const system = new Hono();

  system.get('/info', (c) => {
    parseQuery(c, NoQuery);
    const now = deps.clock();
    return c.json({
      server_id: deps.serverId,
      environment: deps.config.environment,
      debug: deps.config.debug,
      runtime: deps.runtime,
      app_version: deps.appVersion,
      database: deps.config.database,
      uptime_seconds: Math.max(0, Math.round((now.getTime() - deps.startedAt.getTime()) / 1000)),
      timestamp: now.toISOString(),
    } satisfies InfoJson);
  });

  system.get('/health', async (c) => {
    parseQuery(c, NoQuery);
    const base = { server_id: deps.serverId, environment: deps.config.environment };
    if (deps.isDraining()) {
      return c.json(
        { status: 'unhealthy', reason: 'shutting down', ...base, database: 'not checked' } satisfies UnhealthyJson,
        503,
      );
    }
    const [database, replicas] = await Promise.all([
      timeQuery(
        deps.metrics,
        'check_database',
        () => checkDatabase(deps.database(c), deps.config.healthTimeoutMs),
        (status) => status !== 'connected',
      ),
      deps.readReplicas.health(deps.config.healthTimeoutMs),
    ]);
    const replicaFields = replicas.length > 0 ? { replicas } : {};
    if (database !== 'connected') {
      return c.json({ status: 'unhealthy', ...base, database, ...replicaFields } satisfies UnhealthyJson, 503);
    }
    // A replica that is down only degrades: its reads go to the primary, so this instance
    // still serves everything and must stay in the load balancer.
    const degraded = replicas.some((replica) => replica.status !== 'connected');
    return c.json({ status: degraded ? 'degraded' : 'healthy', ...base, database, ...replicaFields } satisfies HealthyJson, 200);
  });

  // Liveness: answers while the event loop does, whatever the database is doing.
  system.get('/health/live', (c) => c.json({ status: 'alive', server_id: deps.serverId } satisfies AliveJson));

  return system;
}

import { Hono } from 'hono';
import { checkDatabase } from '../../data/visits';
import type { AppDependencies } from '../dependencies';
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
    });
  });

  system.get('/health', async (c) => {
    parseQuery(c, NoQuery);
    const base = { server_id: deps.serverId, environment: deps.config.environment };
    if (deps.isDraining()) {
      return c.json({ status: 'unhealthy', reason: 'shutting down', ...base, database: 'not checked' }, 503);
    }
    const database = await checkDatabase(deps.database(c), deps.config.healthTimeoutMs);
    return database === 'connected'
      ? c.json({ status: 'healthy', ...base, database }, 200)
      : c.json({ status: 'unhealthy', ...base, database }, 503);
  });

  // Liveness: answers while the event loop does, whatever the database is doing.
  system.get('/health/live', (c) => c.json({ status: 'alive', server_id: deps.serverId }));

  return system;
}

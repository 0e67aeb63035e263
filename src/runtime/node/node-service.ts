import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { createApp } from '../../app/create-app';
import { createLogger, type Logger } from '../../app/logging/logger';
import { type DatabaseSettings, describeDatabase, withPrimaryPassword } from '../../config/database';
import type { LogSettings } from '../../config/service';
import { createVisitDatabase } from '../../data/visit-database';
import { countryOf, isTrustedPeer, resolveClientAddress } from '../../domain/client-ip';
import { createHealthProbe } from '../../services/health';
import { memoryRateLimiter } from '../../services/rate-limiter';
import type { ReadCache } from '../../services/read-cache';
import { createReplicaRouting, primaryOnly } from '../../services/read-routing';
import { createSiteStats } from '../../services/site-stats';
import { createSiteTracker } from '../../services/site-tracker';
import { createVisitStore } from '../../services/visit-store';
import { APP_VERSION } from '../../version';
import { createNodePool, type NodePool, type PoolLimits } from './mysql-pool';
import { nodeHashing } from './node-hashing';
import { createPrometheusMetrics } from './prometheus-metrics';
import { createRedisCache } from './redis-cache';
import type { NodeSettings } from './settings';
import { slowQueryLog } from './slow-query-log';

export interface NodeServiceOptions {
  settings: NodeSettings;
  /** The primary: the configured database, or the private one (src/dev/private-database.ts). */
  database: DatabaseSettings;
  /** Default: JSON (or pretty) lines on stdout. */
  logger?: Logger;
  clock?: () => Date;
  /** Default: Redis when REDIS_URL is set, else in process. */
  statsCache?: ReadCache;
  /** How soon a replica that failed is probed again (default 5 s). */
  replicaBackoffMs?: number;
  /** True once the process has been asked to stop: readiness turns 503. */
  isDraining?: () => boolean;
  /** Sees every statement on the primary with its values (drizzle's logger), for EXPLAINing them in tests; never logged. */
  logQuery?: (query: string, params: unknown[]) => void;
}

export interface NodeService {
  app: Hono;
  logger: Logger;
  /** Closes the pools and the cache connection; the HTTP server is the caller's. */
  close(): Promise<void>;
}

/**
 * The Node service, wired: one pool for the primary and one per read replica, each statement
 * timed for the slow-query log, a prom-client registry with gauges for every pool, the stats
 * cache, and the visit store and app on top. main.ts serves it; the tests build it the same way.
 */
export function createNodeService(options: NodeServiceOptions): NodeService {
  const { settings } = options;
  const clock = options.clock ?? (() => new Date());
  const serverId = settings.instance.serverId;
  const logger = options.logger ?? createNodeLogger(settings.log, serverId);
  // Every statement is timed; those over SLOW_QUERY_MS are logged with their SQL shape.
  const observeStatement = slowQueryLog(logger, settings.pool.slowQueryMs);
  const limits: PoolLimits = settings.pool;
  const primaryPool = createNodePool(options.database, limits, {
    observeStatement,
    ...(options.logQuery ? { logQuery: options.logQuery } : {}),
  });
  const primary = createVisitDatabase(primaryPool);

  const { replicas: replicaLocations, readTimeoutMs } = settings.replicas;
  // Replica pools are a fraction of the primary's: the primary can always take over their reads.
  const replicaLimits: PoolLimits = {
    size: Math.max(2, Math.ceil(limits.size / 2)),
    queueLimit: limits.queueLimit,
    connectTimeoutMs: Math.min(limits.connectTimeoutMs, readTimeoutMs),
  };
  const replicaPools = replicaLocations.map((location) => ({
    host: describeDatabase(location).host,
    pool: createNodePool(withPrimaryPassword(location, options.database), replicaLimits, { observeStatement }),
  }));
  const replicas =
    replicaPools.length === 0
      ? primaryOnly(() => primary)
      : createReplicaRouting({
          primary: () => primary,
          replicas: replicaPools.map(({ host, pool }) => ({ host, database: createVisitDatabase(pool) })),
          readTimeoutMs,
          log: logger,
          ...(options.replicaBackoffMs === undefined ? {} : { backoffMs: options.replicaBackoffMs }),
        });

  const { redisUrl } = settings.sharedCache;
  const redis =
    options.statsCache === undefined && redisUrl !== undefined
      ? createRedisCache({
          url: redisUrl,
          // Replicas of one deployment share entries; another database on the same Redis does not.
          keyPrefix: `visit-tracker:${options.database.host}:${options.database.port}/${options.database.database}:`,
          logger,
        })
      : undefined;

  const metrics = createPrometheusMetrics({
    pools: [
      { name: 'primary', pool: primaryPool.pool },
      ...replicaPools.map(({ host, pool }) => ({ name: host, pool: pool.pool })),
    ],
  });
  const store = createVisitStore({
    primary: () => primary,
    replicas,
    sharedIo: true,
    statsCache: options.statsCache ?? redis,
    ...settings.store,
    ...settings.privacy,
    timeZone: settings.app.timeZone,
    serverId,
    clock,
    metrics,
    hashing: nodeHashing,
  });
  const app = createApp({
    store,
    sites: createSiteTracker({ primary: () => primary, sharedIo: true, hashing: nodeHashing }),
    siteStats: createSiteStats({ reads: replicas, clock }),
    health: createHealthProbe({ store, ...settings.health, isDraining: options.isDraining }),
    rateLimiter: settings.app.rateLimit === 'off' ? undefined : memoryRateLimiter(settings.app.rateLimit),
    logger,
    metrics,
    clock,
    instance: {
      serverId,
      runtime: { name: 'node', version: process.versions.node },
      appVersion: APP_VERSION,
      startedAt: new Date(Date.now() - process.uptime() * 1000),
      database: describeDatabase(options.database),
    },
    settings: settings.app,
    // The socket's peer, or what a trusted proxy (TRUST_PROXY) says in X-Forwarded-For.
    clientAddress: (c) =>
      resolveClientAddress(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), settings.http.trustedProxies),
    // COUNTRY_HEADER, believed only from a trusted proxy (TRUST_PROXY).
    clientCountry: (c) => {
      const header = settings.http.countryHeader;
      if (header === undefined || !isTrustedPeer(getConnInfo(c).remote.address, settings.http.trustedProxies)) return null;
      return countryOf(c.req.header(header));
    },
  });

  return {
    app,
    logger,
    async close() {
      replicas.stop();
      await Promise.all([primaryPool, ...replicaPools.map(({ pool }) => pool)].map((pool: NodePool) => pool.close()));
      await redis?.close();
    },
  };
}

export function createNodeLogger(settings: LogSettings, serverId: string): Logger {
  return createLogger(settings.level, (line) => process.stdout.write(`${line}\n`), { server_id: serverId }, settings.format);
}

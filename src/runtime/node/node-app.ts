import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { createMemoryCache, type ReadCache } from '../../app/cache';
import { createApp } from '../../app/create-app';
import type { AppDependencies } from '../../app/dependencies';
import { createFreshReads } from '../../app/fresh-reads';
import { createLogger, type Logger } from '../../app/logger';
import type { AppMetrics } from '../../app/metrics';
import { primaryOnly, type ReadReplicas } from '../../app/read-replicas';
import type { Config, DatabaseSettings } from '../../config';
import { createDayCounter } from '../../data/day-counts';
import { createVisitBatcher } from '../../data/visit-batcher';
import type { Database } from '../../data/visits';
import { recordVisits } from '../../data/visits';
import { APP_VERSION } from '../../version';
import { describeDatabase } from './database';
import { poolBehind } from './pool-stats';
import { createPrometheusMetrics, type NamedPool } from './prometheus-metrics';

export interface NodeAppOptions {
  config: Config;
  settings: DatabaseSettings;
  db: Database;
  logger?: Logger;
  /** Defaults to a prom-client registry of this app's own, with gauges for the pool behind `db`. */
  metrics?: AppMetrics;
  clock?: () => Date;
  isDraining?: () => boolean;
  /** Where /api/* reads go; main.ts passes read-routing.ts's when DATABASE_READ_URL is set. Default: the primary. */
  readReplicas?: ReadReplicas;
  /** The read replicas' pools, reported by /metrics beside the primary's. */
  replicaPools?: readonly NamedPool[];
  /** Defaults to an in-process cache; main.ts passes the Redis one when REDIS_URL is set. */
  statsCache?: ReadCache;
}

/** The Node runtime's dependencies: one shared pool, the socket's peer address, process uptime. */
export function createNodeApp(options: NodeAppOptions): Hono {
  const { config } = options;
  // Concurrent visits share transactions on the primary pool (group commit, see the module).
  const visitBatcher = createVisitBatcher((batch) => recordVisits(options.db, batch));
  const deps: AppDependencies = {
    database: () => options.db,
    readReplicas: options.readReplicas ?? primaryOnly(() => options.db),
    clock: options.clock ?? (() => new Date()),
    serverId: config.serverId,
    peerAddress: (c) => getConnInfo(c).remote.address,
    logger: options.logger ?? createNodeLogger(config),
    metrics: options.metrics ?? createPrometheusMetrics({ pools: reportedPools(options) }),
    runtime: { name: 'node', version: process.versions.node },
    appVersion: APP_VERSION,
    startedAt: new Date(Date.now() - process.uptime() * 1000),
    isDraining: options.isDraining ?? (() => false),
    statsCache: options.statsCache ?? createMemoryCache(),
    recordVisit: (_c, visit) => visitBatcher.record(visit),
    freshReads: createFreshReads(),
    dayCounter: createDayCounter(config.countsSettleMs),
    config: {
      environment: config.environment,
      timeZone: config.timeZone,
      trustedProxies: config.trustedProxies,
      debug: config.logLevel === 'debug',
      healthTimeoutMs: config.healthTimeoutMs,
      ipAnonymization: config.ipAnonymization,
      statsCacheTtlMs: config.statsCacheTtlMs,
      database: describeDatabase(options.settings),
    },
  };
  return createApp(deps);
}

export function createNodeLogger(config: Config): Logger {
  return createLogger(
    config.logLevel,
    (line) => process.stdout.write(`${line}\n`),
    { server_id: config.serverId },
    config.logFormat,
  );
}

/** The primary's pool (when `db` has one behind it) and the replicas'. */
function reportedPools(options: NodeAppOptions): NamedPool[] {
  const primary = poolBehind(options.db);
  return [...(primary === undefined ? [] : [{ name: 'primary', pool: primary }]), ...(options.replicaPools ?? [])];
}

import { drizzle } from 'drizzle-orm/mysql2';
import mysql, { type Pool } from 'mysql2/promise';
import * as schema from '../../../db/schema';
import type { DatabaseSettings } from '../../config/database';
import { connectionOptions, type Database, type DatabaseHandle } from '../../data/database';
import { type StatementObserver, timeStatements } from './statement-timing';

export interface PoolLimits {
  /** connectionLimit: the most connections the pool opens (DB_POOL_SIZE). */
  size: number;
  /** Requests that may wait for a connection before failing fast (DB_QUEUE_LIMIT; 0: unbounded). */
  queueLimit: number;
  connectTimeoutMs: number;
}

export interface NodePool extends DatabaseHandle {
  db: Database;
  /** The mysql2 pool behind `db`, for its gauges (src/runtime/node/pool-stats.ts). */
  pool: Pool;
  close(): Promise<void>;
}

/**
 * One pool per database per process. Bounded queue so overload fails fast instead of piling
 * up; idle sockets retired well before a server's wait_timeout (8 h by default, often minutes
 * on managed databases) and TCP keep-alive on, so the pool rarely hands out a connection the
 * server has already dropped.
 */
export function createNodePool(
  settings: DatabaseSettings,
  limits: PoolLimits,
  options: {
    logQuery?: (query: string, params: unknown[]) => void;
    /** Sees every statement's SQL shape and duration (the slow query log). */
    observeStatement?: StatementObserver;
  } = {},
): NodePool {
  const mysqlPool = mysql.createPool({
    ...connectionOptions(settings, limits.connectTimeoutMs),
    connectionLimit: limits.size,
    maxIdle: limits.size,
    idleTimeout: 30_000,
    queueLimit: limits.queueLimit,
    waitForConnections: true,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
  });
  // Watched (the slow-query log) whether drizzle or the data layer runs the statement.
  const observe = options.observeStatement ?? (() => {});
  const client =
    options.observeStatement || options.logQuery
      ? timeStatements(mysqlPool, { observe, ...(options.logQuery ? { logQuery: options.logQuery } : {}) })
      : mysqlPool;
  return {
    db: drizzle({ client, schema, mode: 'default' }),
    driver: client,
    connection: () => client.getConnection(),
    pool: mysqlPool,
    close: () => mysqlPool.end(),
  };
}

import { drizzle } from 'drizzle-orm/mysql2';
import mysql, { type Connection, type Pool } from 'mysql2/promise';
import * as schema from '../../../db/schema';
import type { DatabaseSettings } from '../../config/database';
import {
  checkDatabase,
  connectionOptions,
  type Database,
  type DatabaseHandle,
  type DatabaseStatus,
  type Driver,
} from '../../data/database';
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
  const probe = dedicatedProbe(() => mysql.createConnection(connectionOptions(settings, limits.connectTimeoutMs)));
  return {
    db: drizzle({ client, schema, mode: 'default' }),
    driver: client,
    connection: () => client.getConnection(),
    probe: probe.check,
    pool: mysqlPool,
    close: async () => {
      probe.close();
      await mysqlPool.end();
    },
  };
}

/**
 * /health's `SELECT 1` on a connection of its own, outside the pool: a pool whose queue is full
 * of requests is busy, not broken, and a probe must neither wait behind them nor be reported
 * unreachable because of them. A probe that times out destroys its connection, so no `SELECT 1`
 * stays queued on a hung server; the next one connects afresh, within the same deadline.
 */
function dedicatedProbe(connect: () => Promise<Connection>): {
  check(timeoutMs: number): Promise<DatabaseStatus>;
  close(): void;
} {
  let current: Promise<Connection> | undefined;
  const drop = () => {
    const dropped = current;
    current = undefined;
    dropped?.then((connection) => connection.destroy()).catch(() => {});
  };
  const open = () => {
    current ??= connect().then((connection) => {
      // A connection the server drops emits 'error'; the next probe opens another.
      connection.on('error', drop);
      return connection;
    });
    return current;
  };
  // The deadline and the reading of failures are checkDatabase's, as for any probe; connecting
  // counts against the deadline too.
  const lazy: Driver = { query: (options, values) => open().then((connection) => connection.query(options, values)) };
  return {
    async check(timeoutMs) {
      const status = await checkDatabase(lazy, timeoutMs);
      // Timed out or failed: the connection goes, and its SELECT 1 with it.
      if (status !== 'connected') drop();
      return status;
    },
    close: drop,
  };
}

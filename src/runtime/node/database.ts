import { drizzle } from 'drizzle-orm/mysql2';
import mysql, { type Pool, type PoolOptions, type SslOptions } from 'mysql2/promise';
import * as schema from '../../../db/schema';
import type { Config, DatabaseSettings } from '../../config';
import type { Database } from '../../data/visits';
import { type StatementObserver, timeStatements } from './statement-timing';

/** mysql2 TLS options for a DB_TLS mode: `required` encrypts, `verify` also checks the certificate and host name. */
export function tlsOptions(mode: DatabaseSettings['tls']): SslOptions | undefined {
  if (mode === 'off') return undefined;
  return { rejectUnauthorized: mode === 'verify' };
}

/** Connection options shared by the pool and the migrator's single connection. */
export function connectionOptions(settings: DatabaseSettings, connectTimeoutMs: number) {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ssl: tlsOptions(settings.tls),
    connectTimeout: connectTimeoutMs,
    // Everything is stored and compared in UTC; see db/schema.ts.
    timezone: 'Z',
    // utf8mb4_unicode_ci exists on MySQL 8.4 and MariaDB 10.11 alike (0900 collations do not).
    charset: 'UTF8MB4_UNICODE_CI',
    supportBigNumbers: true,
    // mysql2 otherwise captures a stack trace for every query (a measurable share of CPU
    // on the hot path); drizzle's errors already name the failing statement.
    trace: false,
  } satisfies PoolOptions;
}

export interface NodeDatabase {
  db: Database;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * One pool per process. Bounded queue so overload fails fast instead of piling up;
 * idle sockets retired well before a server's wait_timeout (8 h by default, often
 * minutes on managed databases) and TCP keep-alive on, so the pool rarely hands out
 * a connection the server has already dropped.
 */
export function createNodeDatabase(
  settings: DatabaseSettings,
  pool: Config['pool'],
  options: {
    logQuery?: (query: string, params: unknown[]) => void;
    /** Sees every statement's SQL shape and duration (main.ts: the slow query log). */
    observeStatement?: StatementObserver;
  } = {},
): NodeDatabase {
  const mysqlPool = mysql.createPool({
    ...connectionOptions(settings, pool.connectTimeoutMs),
    connectionLimit: pool.size,
    maxIdle: pool.size,
    idleTimeout: 30_000,
    queueLimit: pool.queueLimit,
    waitForConnections: true,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
  });
  return {
    db: drizzle({
      client: options.observeStatement ? timeStatements(mysqlPool, options.observeStatement) : mysqlPool,
      schema,
      mode: 'default',
      ...(options.logQuery ? { logger: { logQuery: options.logQuery } } : {}),
    }),
    pool: mysqlPool,
    close: () => mysqlPool.end(),
  };
}

/** host and database name for /info and logs: never the user or password. */
export function describeDatabase(settings: DatabaseSettings): { host: string; name: string } {
  return { host: `${settings.host}:${settings.port}`, name: settings.database };
}

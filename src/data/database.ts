import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { PoolOptions, SslOptions } from 'mysql2/promise';
import type * as schema from '../../db/schema';
import type { DatabaseSettings } from '../config/database';

/**
 * The database handle, how to connect to it, and how to read its errors: every connection the
 * project opens (the Node pool, the Worker's per-request connection, the operator commands')
 * uses connectionOptions, and every driver error is read through driverErrorCode.
 */

export type Database = MySql2Database<typeof schema>;

/** mysql2's promise API, as the data layer runs its statements on it (rows as arrays, src/data/statements.ts). */
export interface Driver {
  query(options: { sql: string; rowsAsArray: true }, values: unknown[]): Promise<[unknown, unknown]>;
}

/** A connection of its own, for one transaction, given back with release(). */
export interface DriverConnection extends Driver {
  release(): void;
}

/**
 * One connection (or pool) to the database: drizzle, which builds the statements on the schema
 * (and runs the operator commands'), and the driver under it, which runs the request paths'.
 */
export interface DatabaseHandle {
  db: Database;
  driver: Driver;
  /** A connection for a transaction: a pool lends one of its own, a single connection itself. */
  connection(): Promise<DriverConnection>;
  /**
   * `SELECT 1` within a deadline on a connection of its own (Node: not the pool's, so a busy
   * pool is not taken for a broken database); absent: checkDatabase on `driver`.
   */
  probe?: (timeoutMs: number) => Promise<DatabaseStatus>;
}

/**
 * The handle of a single connection (the Worker's, per request). It lends itself for
 * transactions, one at a time: a second waits until the first has given it back, as two
 * transactions cannot share a connection.
 */
export function singleConnectionHandle(db: Database, driver: Driver): DatabaseHandle {
  let released: Promise<void> = Promise.resolve();
  return {
    db,
    driver,
    async connection() {
      const previous = released;
      let release = () => {};
      released = new Promise((resolve) => {
        release = resolve;
      });
      await previous;
      return { query: (options, values) => driver.query(options, values), release };
    },
  };
}

/**
 * Runs `work` in one transaction on a connection of its own: committed when it resolves, rolled
 * back when it (or the commit) throws, and the error rethrown. A rollback that fails too (the
 * connection is gone, and the server rolls back on its own) does not hide the first error.
 */
export async function inTransaction<T>(handle: DatabaseHandle, work: (connection: Driver) => Promise<T>): Promise<T> {
  const connection = await handle.connection();
  try {
    await connection.query(START_TRANSACTION, []);
    const result = await work(connection);
    await connection.query(COMMIT, []);
    return result;
  } catch (error) {
    await connection.query(ROLLBACK, []).catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
}

const START_TRANSACTION = { sql: 'START TRANSACTION', rowsAsArray: true } as const;
const COMMIT = { sql: 'COMMIT', rowsAsArray: true } as const;
const ROLLBACK = { sql: 'ROLLBACK', rowsAsArray: true } as const;

/** mysql2 TLS options for a DB_TLS mode: `required` encrypts, `verify` also checks the certificate and host name. */
export function tlsOptions(mode: DatabaseSettings['tls']): SslOptions | undefined {
  if (mode === 'off') return undefined;
  return { rejectUnauthorized: mode === 'verify' };
}

/** Connection options shared by the pool, the Worker's connection and the commands' single connections. */
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

/** The driver's error code (`ER_DUP_ENTRY`, `ECONNREFUSED`…) of an error, looking through drizzle's wrapper. */
export function driverErrorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Every message of an error and its causes, the server's own words last: drizzle wraps them in "Failed query: …". */
export function describeDriverError(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) messages.push(current.message);
  return messages.length === 0 ? String(error) : messages.reverse().join('\n  while running: ');
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

/** True for a driver error that means no connection (refused, reset, lost, timed out), not a failed statement. */
export function isConnectionError(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code !== undefined && CONNECTION_ERROR_CODES.has(code);
}

/**
 * What the server answers when it cannot take the work, or cannot be used at all as configured
 * (a deployment's credentials or database name): the request could succeed later, so it is a
 * 503, never a statement's fault. ER_STATEMENT_TIMEOUT is MariaDB's max_statement_time,
 * ER_QUERY_TIMEOUT MySQL's max_execution_time.
 */
const UNAVAILABLE_SERVER_CODES = new Set([
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_USER_LIMIT_REACHED',
  'ER_OUT_OF_RESOURCES',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/** mysql2's pool says this, with no code, when DB_QUEUE_LIMIT requests already wait for a connection. */
const POOL_QUEUE_FULL = 'Queue limit reached.';

/**
 * True for a failure to get or use a database connection in time (no connection, the pool's
 * queue full, the server refusing more work or timing a statement out): a 503 for the client,
 * who may retry, rather than a 500.
 */
export function isUnavailableError(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = driverErrorCode(error);
  if (code !== undefined) return UNAVAILABLE_SERVER_CODES.has(code);
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.message === POOL_QUEUE_FULL) return true;
  }
  return false;
}

export type DatabaseStatus = 'connected' | 'unhealthy' | 'unreachable';

const SELECT_ONE = { sql: 'SELECT 1', rowsAsArray: true } as const;

/**
 * `SELECT 1` within a deadline. `unreachable`: no answer in time or no connection;
 * `unhealthy`: the server answered with an error (credentials, privileges, overload).
 */
export async function checkDatabase(driver: Driver, timeoutMs: number): Promise<DatabaseStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<DatabaseStatus>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), timeoutMs);
  });
  // On the driver itself: a probe a load balancer sends several times a second needs no query builder.
  const probe = driver.query(SELECT_ONE, []).then(
    (): DatabaseStatus => 'connected',
    (error: unknown): DatabaseStatus => (isConnectionError(error) ? 'unreachable' : 'unhealthy'),
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

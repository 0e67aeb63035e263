import type { Pool, PoolConnection } from 'mysql2/promise';

export interface TimedStatement {
  /** The statement as it was sent: SQL with `?` placeholders; the values travel apart and are not here. */
  sql: string;
  /** From the call to its answer, including any wait for a free pooled connection. */
  durationMs: number;
  failed: boolean;
}

export type StatementObserver = (statement: TimedStatement) => void;

export interface StatementWatch {
  /** Sees every statement's SQL shape and duration (the slow-query log). */
  observe: StatementObserver;
  /** Sees every statement with its values, as it is sent: for tests that EXPLAIN them. Never logged. */
  logQuery?: (sql: string, params: unknown[]) => void;
}

type StatementMethod = (...args: unknown[]) => Promise<unknown>;

const TIMED_METHODS = ['query', 'execute'] as const;

/**
 * The pool as drizzle and the data layer should see it: every `query`/`execute`, on the pool or
 * on a connection taken from it for a transaction, is timed and handed to `watch`. A Proxy
 * rather than hooks into mysql2: mysql2's own tracing channel reports the SQL after it has
 * interpolated the values, and the values are exactly what must not reach a log. Everything else
 * passes through untouched. The timed methods are made once per pool (and per connection taken),
 * not on every call: this runs on every statement.
 */
export function timeStatements(pool: Pool, watch: StatementWatch): Pool {
  const methods = new Map<PropertyKey, unknown>(TIMED_METHODS.map((name) => [name, timedMethod(pool, name, watch)]));
  methods.set('getConnection', async () => timeConnectionStatements(await pool.getConnection(), watch));
  return new Proxy(pool, {
    get: (target, property, receiver) =>
      methods.has(property) ? methods.get(property) : Reflect.get(target, property, receiver),
  });
}

function timeConnectionStatements(connection: PoolConnection, watch: StatementWatch): PoolConnection {
  const methods = new Map<PropertyKey, unknown>(TIMED_METHODS.map((name) => [name, timedMethod(connection, name, watch)]));
  return new Proxy(connection, {
    get: (target, property, receiver) =>
      methods.has(property) ? methods.get(property) : Reflect.get(target, property, receiver),
  });
}

function timedMethod(
  target: Pool | PoolConnection,
  property: (typeof TIMED_METHODS)[number],
  watch: StatementWatch,
): StatementMethod {
  const method = Reflect.get(target, property) as StatementMethod;
  return (...args: unknown[]) => {
    const started = performance.now();
    const sql = statementText(args[0]);
    watch.logQuery?.(sql, Array.isArray(args[1]) ? args[1] : []);
    const answer = method.apply(target, args);
    // Observed on a branch of its own; the caller still gets (and handles) the original promise.
    answer.then(
      () => watch.observe({ sql, durationMs: performance.now() - started, failed: false }),
      () => watch.observe({ sql, durationMs: performance.now() - started, failed: true }),
    );
    return answer;
  };
}

/** Drizzle passes `{ sql, … }` with the values as a separate argument; plain strings are possible too. */
function statementText(first: unknown): string {
  if (typeof first === 'string') return first;
  if (typeof first === 'object' && first !== null && 'sql' in first && typeof first.sql === 'string') return first.sql;
  return '(unknown statement)';
}

import type { Pool, PoolConnection } from 'mysql2/promise';

export interface TimedStatement {
  /** The statement as Drizzle sent it: SQL with `?` placeholders; the values travel apart and are not here. */
  sql: string;
  /** From the call to its answer, including any wait for a free pooled connection. */
  durationMs: number;
  failed: boolean;
}

export type StatementObserver = (statement: TimedStatement) => void;

const TIMED_METHODS = new Set<PropertyKey>(['query', 'execute']);

/**
 * The pool as Drizzle should see it: every `query`/`execute`, on the pool or on a connection
 * taken from it for a transaction, is timed and handed to `observe`. A Proxy rather than hooks
 * into mysql2: mysql2's own tracing channel reports the SQL after it has interpolated the values,
 * and the values are exactly what must not reach a log. Everything else passes through untouched.
 */
export function timeStatements(pool: Pool, observe: StatementObserver): Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (TIMED_METHODS.has(property)) return timedMethod(target, property, observe);
      if (property === 'getConnection') {
        return async () => timeConnectionStatements(await target.getConnection(), observe);
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

function timeConnectionStatements(connection: PoolConnection, observe: StatementObserver): PoolConnection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (TIMED_METHODS.has(property)) return timedMethod(target, property, observe);
      return Reflect.get(target, property, receiver);
    },
  });
}

function timedMethod(target: object, property: PropertyKey, observe: StatementObserver) {
  const method = Reflect.get(target, property) as (...args: unknown[]) => Promise<unknown>;
  return (...args: unknown[]) => {
    const started = performance.now();
    const answer = method.apply(target, args);
    const report = (failed: boolean) => observe({ sql: statementText(args[0]), durationMs: performance.now() - started, failed });
    // Observed on a branch of its own; the caller still gets (and handles) the original promise.
    answer.then(
      () => report(false),
      () => report(true),
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

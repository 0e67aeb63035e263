import type { Pool } from 'mysql2/promise';

export interface PoolStats {
  /** connectionLimit: the most connections the pool will open (DB_POOL_SIZE). */
  limit: number;
  /** Connections open now, busy or idle. */
  open: number;
  /** Open connections lent out to a query or transaction. */
  inUse: number;
  /** Requests waiting for a connection because all `limit` are in use (bounded by DB_QUEUE_LIMIT). */
  waiting: number;
}

/** The queues mysql2's core pool keeps; each has a `length`. */
interface CorePoolInternals {
  config?: { connectionLimit?: unknown };
  _allConnections?: { length?: unknown };
  _freeConnections?: { length?: unknown };
  _connectionQueue?: { length?: unknown };
}

/**
 * mysql2 has no public API for its pool's occupancy, so this reads the core pool's internal
 * queues (`_allConnections`, `_freeConnections`, `_connectionQueue`; stable since mysql2 1.x and
 * still there in 3.24). It is the only place that does: should a mysql2 upgrade rename them, the
 * figures read as 0 rather than throwing, and test/app/metrics.test.ts notices.
 */
export function readPoolStats(pool: Pool): PoolStats {
  const core = pool.pool as unknown as CorePoolInternals;
  const count = (queue: { length?: unknown } | undefined) => (typeof queue?.length === 'number' ? queue.length : 0);
  const open = count(core._allConnections);
  const limit = core.config?.connectionLimit;
  return {
    limit: typeof limit === 'number' ? limit : 0,
    open,
    inUse: Math.max(0, open - count(core._freeConnections)),
    waiting: count(core._connectionQueue),
  };
}

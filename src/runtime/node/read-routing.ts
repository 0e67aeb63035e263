import type { Logger } from '../../app/logger';
import type { ReadReplicas, ReplicaHealth } from '../../app/read-replicas';
import type { Config, DatabaseSettings } from '../../config';
import { checkDatabase, type Database } from '../../data/visits';
import { createNodeDatabase, describeDatabase, type NodeDatabase } from './database';
import { withDeadline } from './deadline';
import type { NamedPool } from './prometheus-metrics';
import type { StatementObserver } from './statement-timing';

/** How long a failed replica is left alone before a background probe tries it again. */
const DEFAULT_BACKOFF_MS = 5_000;

export interface ReadRoutingOptions {
  primary: Database;
  replicas: readonly DatabaseSettings[];
  /** The primary's pool settings; each replica gets a smaller pool derived from them. */
  pool: Config['pool'];
  /** A replica read slower than this is abandoned and run on the primary instead. */
  readTimeoutMs: number;
  logger: Logger;
  backoffMs?: number;
  /** Times every replica statement, as the primary's are (the slow-query log). */
  observeStatement?: StatementObserver;
}

export interface ReadRouting extends ReadReplicas {
  /** Each replica's pool, by host:port, for the pool gauges of /metrics. */
  pools: NamedPool[];
  close(): Promise<void>;
}

interface Replica {
  host: string;
  database: NodeDatabase;
  /** While down, reads skip it; a background probe retries it every back-off until it answers. */
  down: boolean;
  probe: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Round-robin over the healthy replicas, with the primary as the fallback. A replica that fails
 * a read (no connection, a timeout, or any error) costs that one request a second try on the
 * primary, then is skipped until a background `SELECT 1` succeeds. Each change of state is
 * logged once, so an outage is two log lines, not one per request.
 */
export function createReadRouting(options: ReadRoutingOptions): ReadRouting {
  const { primary, logger, readTimeoutMs } = options;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  // Replica pools are a fraction of the primary's: the primary can always take over their reads.
  const replicaPool: Config['pool'] = {
    size: Math.max(2, Math.ceil(options.pool.size / 2)),
    queueLimit: options.pool.queueLimit,
    connectTimeoutMs: Math.min(options.pool.connectTimeoutMs, readTimeoutMs),
  };
  const replicas: Replica[] = options.replicas.map((settings) => ({
    host: describeDatabase(settings).host,
    database: createNodeDatabase(
      settings,
      replicaPool,
      options.observeStatement ? { observeStatement: options.observeStatement } : {},
    ),
    down: false,
    probe: undefined,
  }));
  let next = 0;
  let closed = false;

  const nextHealthy = (): Replica | undefined => {
    for (let step = 0; step < replicas.length; step++) {
      const index = (next + step) % replicas.length;
      const replica = replicas[index];
      if (replica !== undefined && !replica.down) {
        next = (index + 1) % replicas.length;
        return replica;
      }
    }
    return undefined;
  };

  const scheduleProbe = (replica: Replica) => {
    replica.probe = setTimeout(async () => {
      const status = await checkDatabase(replica.database.db, readTimeoutMs);
      if (closed) return;
      if (status === 'connected') markUp(replica);
      else scheduleProbe(replica);
    }, backoffMs);
    // A pending probe must not keep the process alive after the server has closed.
    replica.probe.unref();
  };

  const markDown = (replica: Replica, reason: string) => {
    if (replica.down || closed) return;
    replica.down = true;
    logger.warn('read replica unavailable: its reads go to the primary until it answers again', {
      replica: replica.host,
      reason,
      retry_every_ms: backoffMs,
    });
    scheduleProbe(replica);
  };

  const markUp = (replica: Replica) => {
    if (!replica.down) return;
    replica.down = false;
    clearTimeout(replica.probe);
    replica.probe = undefined;
    logger.info('read replica answering again: reads return to it', { replica: replica.host });
  };

  return {
    async read(_c, read) {
      const replica = nextHealthy();
      if (replica === undefined) return read(primary);
      try {
        return await withDeadline(read(replica.database.db), readTimeoutMs, 'DB_READ_TIMEOUT_MS');
      } catch (error) {
        markDown(replica, error instanceof Error ? error.message : String(error));
        return read(primary);
      }
    },

    health(timeoutMs) {
      return Promise.all(
        replicas.map(async (replica): Promise<ReplicaHealth> => {
          const status = await checkDatabase(replica.database.db, timeoutMs);
          if (status === 'connected') markUp(replica);
          else markDown(replica, `health check: ${status}`);
          return { host: replica.host, status };
        }),
      );
    },

    pools: replicas.map((replica) => ({ name: replica.host, pool: replica.database.pool })),
    async close() {
      closed = true;
      for (const replica of replicas) clearTimeout(replica.probe);
      await Promise.all(replicas.map((replica) => replica.database.close()));
    },
  };
}

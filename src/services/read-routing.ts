import type { DatabaseStatus } from '../data/database';
import type { VisitDatabase } from '../data/visit-database';
import { withDeadline } from './deadline';

/** One read replica as /health reports it: where it is (never a credential) and whether it answers. */
export interface ReplicaHealth {
  host: string;
  status: DatabaseStatus;
}

/**
 * Where the reads that tolerate replication lag go (/api/visits, /api/stats). The home page
 * never uses this: it reads from the primary so a visitor always sees their own visit.
 */
export interface ReadRouting {
  /**
   * Runs `read` on a healthy replica, or on the primary when none is configured or healthy,
   * or when the replica does not answer (the read is then run again on the primary).
   */
  read<T>(read: (db: VisitDatabase) => Promise<T>): Promise<T>;
  /** Probes every replica now (SELECT 1 within timeoutMs); empty when none is configured. */
  health(timeoutMs: number): Promise<ReplicaHealth[]>;
  /** Stops the background probes. */
  stop(): void;
}

/** No replicas: every read goes to the primary (the Worker's Hyperdrive is one origin). */
export function primaryOnly(primary: () => VisitDatabase): ReadRouting {
  return {
    read: (read) => read(primary()),
    health: async () => [],
    stop: () => {},
  };
}

/** Where routing reports a replica going down and coming back: the app's logger. */
export interface RoutingLog {
  warn(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
}

export interface ReplicaRoutingOptions {
  primary: () => VisitDatabase;
  /** Each replica, named by host:port (never a credential). */
  replicas: readonly { host: string; database: VisitDatabase }[];
  /** A replica read slower than this is abandoned and run on the primary instead (DB_READ_TIMEOUT_MS). */
  readTimeoutMs: number;
  log: RoutingLog;
  /** How long a failed replica is left alone before a background probe tries it again. */
  backoffMs?: number;
}

const DEFAULT_BACKOFF_MS = 5_000;

interface ReplicaState {
  host: string;
  database: VisitDatabase;
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
export function createReplicaRouting(options: ReplicaRoutingOptions): ReadRouting {
  const { primary, log, readTimeoutMs } = options;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const replicas: ReplicaState[] = options.replicas.map(({ host, database }) => ({
    host,
    database,
    down: false,
    probe: undefined,
  }));
  let next = 0;
  let stopped = false;

  const nextHealthy = (): ReplicaState | undefined => {
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

  const scheduleProbe = (replica: ReplicaState) => {
    replica.probe = setTimeout(async () => {
      const status = await replica.database.check(readTimeoutMs);
      if (stopped) return;
      if (status === 'connected') markUp(replica);
      else scheduleProbe(replica);
    }, backoffMs);
    // A pending probe must not keep the process alive after the server has closed.
    replica.probe.unref?.();
  };

  const markDown = (replica: ReplicaState, reason: string) => {
    if (replica.down || stopped) return;
    replica.down = true;
    log.warn('read replica unavailable: its reads go to the primary until it answers again', {
      replica: replica.host,
      reason,
      retry_every_ms: backoffMs,
    });
    scheduleProbe(replica);
  };

  const markUp = (replica: ReplicaState) => {
    if (!replica.down) return;
    replica.down = false;
    clearTimeout(replica.probe);
    replica.probe = undefined;
    log.info('read replica answering again: reads return to it', { replica: replica.host });
  };

  return {
    async read(read) {
      const replica = nextHealthy();
      if (replica === undefined) return read(primary());
      try {
        return await withDeadline(read(replica.database), readTimeoutMs, 'DB_READ_TIMEOUT_MS');
      } catch (error) {
        markDown(replica, error instanceof Error ? error.message : String(error));
        return read(primary());
      }
    },

    health(timeoutMs) {
      return Promise.all(
        replicas.map(async (replica): Promise<ReplicaHealth> => {
          const status = await replica.database.check(timeoutMs);
          if (status === 'connected') markUp(replica);
          else markDown(replica, `health check: ${status}`);
          return { host: replica.host, status };
        }),
      );
    },

    stop() {
      stopped = true;
      for (const replica of replicas) clearTimeout(replica.probe);
    },
  };
}

import type { Context } from 'hono';
import type { Database, DatabaseStatus } from '../data/visits';

/** One read replica as /health reports it: where it is (never a credential) and whether it answers. */
export interface ReplicaHealth {
  host: string;
  status: DatabaseStatus;
}

/**
 * Where the reads that tolerate replication lag go (/api/visits, /api/stats). The home page
 * never uses this: it reads from the primary so a visitor always sees their own visit.
 */
export interface ReadReplicas {
  /**
   * Runs `read` on a healthy replica, or on the primary when none is configured or healthy,
   * or when the replica does not answer (the read is then run again on the primary).
   */
  read<T>(c: Context, read: (db: Database) => Promise<T>): Promise<T>;
  /** Probes every replica now (SELECT 1 within timeoutMs); empty when none is configured. */
  health(timeoutMs: number): Promise<ReplicaHealth[]>;
}

/** No replicas: every read goes to the request's primary (the Worker's Hyperdrive is one origin). */
export function primaryOnly(database: (c: Context) => Database): ReadReplicas {
  return {
    read: (c, read) => read(database(c)),
    health: async () => [],
  };
}

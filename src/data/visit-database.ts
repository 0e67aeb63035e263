import { type CounterReads, createCounterReads } from './counter-reads';
import { checkDatabase, type DatabaseHandle, type DatabaseStatus } from './database';
import { createVisitReads, type VisitReads } from './visit-reads';
import { createVisitWriter, type VisitWriter } from './visit-writes';

/**
 * Every statement the service runs on a request path, bound to one database handle: the Node
 * pool (and one per read replica), or the Worker's connection of a request. It owns what
 * belongs to that handle, its prepared queries and the visitors it has written, so nothing is
 * remembered in module-level state. The visit store (src/services/visit-store.ts) is its only
 * user on a request path.
 */
export interface VisitDatabase extends VisitWriter, VisitReads, CounterReads {
  /** `SELECT 1` within timeoutMs (src/data/database.ts, checkDatabase). */
  check(timeoutMs: number): Promise<DatabaseStatus>;
}

export function createVisitDatabase(handle: DatabaseHandle): VisitDatabase {
  return {
    ...createVisitWriter(handle),
    ...createVisitReads(handle),
    ...createCounterReads(handle),
    check: (timeoutMs) => checkDatabase(handle.driver, timeoutMs),
  };
}

import { and, asc, count, eq, inArray, lt } from 'drizzle-orm';
import { bucketVisitors, siteEvents, sites, siteVisitorValues, visitorKeys, visits } from '../../db/schema';
import type { Database } from './database';

/**
 * The statements of the retention purge (`npm run db:purge`). They delete only what holds
 * personal data, visits and bucket_visitors (addresses, user agents), and keep visit_counters,
 * which are plain numbers. Not a request path: run by an operator, as a user allowed to DELETE
 * (the migration user), never by the service, whose user may not (src/data/privileges.ts).
 */

export const DEFAULT_PURGE_BATCH_SIZE = 5_000;

export type PurgedTable = 'visits' | 'bucket_visitors' | 'site_events' | 'site_visitor_values' | 'visitor_keys';

export interface PurgeCounts {
  visits: number;
  bucketVisitors: number;
  /** Tracked sites' page views (their rollups are kept, like visit_counters). */
  siteEvents: number;
}

/** What purgeVisitorState deleted. */
export interface VisitorStateCounts {
  siteVisitorValues: number;
  visitorKeys: number;
}

/**
 * Runs `batch` (one statement's worth: at most `batchSize` rows picked) until one picks fewer than
 * a full batch, reporting each; the rows deleted in all. `before`: what earlier calls for the same
 * table deleted, so the reported totals run on across sites.
 */
export async function deleteInBatches<Table extends string>(
  batchSize: number,
  report: (batch: { table: Table; deleted: number; total: number }) => void,
  table: Table,
  batch: () => Promise<{ picked: number; deleted: number }>,
  before = 0,
): Promise<number> {
  let total = before;
  for (;;) {
    const { picked, deleted } = await batch();
    if (picked === 0) break;
    total += deleted;
    report({ table, deleted, total });
    if (picked < batchSize) break;
  }
  return total - before;
}

/** The site ids whose rows a purge walks, one site at a time along its (site_id, …) index. */
async function siteIds(db: Database): Promise<number[]> {
  return (await db.select({ id: sites.id }).from(sites).orderBy(asc(sites.id))).map((row) => row.id);
}

export interface PurgeBatch {
  table: PurgedTable;
  /** Rows this batch deleted. */
  deleted: number;
  /** Rows deleted from this table so far, this batch included. */
  total: number;
}

/** What a purge at `cutoff` would delete, for --dry-run: range counts on the time indexes. */
export async function countExpired(db: Database, cutoff: Date): Promise<PurgeCounts> {
  const [expiredVisits] = await db.select({ rows: count() }).from(visits).where(lt(visits.visitedAt, cutoff));
  const [expiredVisitors] = await db.select({ rows: count() }).from(bucketVisitors).where(lt(bucketVisitors.bucketStart, cutoff));
  let expiredEvents = 0;
  for (const siteId of await siteIds(db)) {
    const [events] = await db
      .select({ rows: count() })
      .from(siteEvents)
      .where(and(eq(siteEvents.siteId, siteId), lt(siteEvents.occurredAt, cutoff)));
    expiredEvents += Number(events?.rows ?? 0);
  }
  return {
    visits: Number(expiredVisits?.rows ?? 0),
    bucketVisitors: Number(expiredVisitors?.rows ?? 0),
    siteEvents: expiredEvents,
  };
}

/**
 * Deletes visits recorded before `cutoff`, and bucket_visitors rows of buckets that start before
 * it, at most `batchSize` rows per statement. Each statement is its own short transaction
 * (autocommit), so row locks are held for one batch only and never on rows new visits touch:
 * visits are picked by the (visited_at, id) index with a plain read, then deleted by primary
 * key; bucket_visitors in primary-key order from its oldest bucket. Safe to interrupt, to run
 * while the service records visits, and to run again, also twice at once (a row another run
 * took first is simply not counted here).
 */
export async function purgeExpired(
  db: Database,
  cutoff: Date,
  options: { batchSize?: number; onBatch?: (batch: PurgeBatch) => void } = {},
): Promise<PurgeCounts> {
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  const report = options.onBatch ?? (() => {});

  const visitsDeleted = await deleteInBatches(batchSize, report, 'visits', async () => {
    const expired = await db
      .select({ id: visits.id })
      .from(visits)
      .where(lt(visits.visitedAt, cutoff))
      .orderBy(asc(visits.visitedAt), asc(visits.id))
      .limit(batchSize);
    if (expired.length === 0) return { picked: 0, deleted: 0 };
    const ids = expired.map((row) => row.id);
    // visited_at again, so a row is only ever deleted for being old, whatever picked its id.
    const [result] = await db.delete(visits).where(and(inArray(visits.id, ids), lt(visits.visitedAt, cutoff)));
    return { picked: expired.length, deleted: result.affectedRows };
  });

  const visitorsDeleted = await deleteInBatches(batchSize, report, 'bucket_visitors', async () => {
    const [result] = await db
      .delete(bucketVisitors)
      .where(lt(bucketVisitors.bucketStart, cutoff))
      .orderBy(asc(bucketVisitors.bucketStart), asc(bucketVisitors.serverId), asc(bucketVisitors.ipAddress))
      .limit(batchSize);
    return { picked: result.affectedRows, deleted: result.affectedRows };
  });

  let eventsDeleted = 0;
  for (const siteId of await siteIds(db)) {
    eventsDeleted += await deleteInBatches(
      batchSize,
      report,
      'site_events',
      async () => {
        const expired = await db
          .select({ id: siteEvents.id })
          .from(siteEvents)
          .where(and(eq(siteEvents.siteId, siteId), lt(siteEvents.occurredAt, cutoff)))
          .orderBy(asc(siteEvents.occurredAt), asc(siteEvents.id))
          .limit(batchSize);
        if (expired.length === 0) return { picked: 0, deleted: 0 };
        const ids = expired.map((row) => row.id);
        const [result] = await db.delete(siteEvents).where(and(inArray(siteEvents.id, ids), lt(siteEvents.occurredAt, cutoff)));
        return { picked: expired.length, deleted: result.affectedRows };
      },
      eventsDeleted,
    );
  }

  return { visits: visitsDeleted, bucketVisitors: visitorsDeleted, siteEvents: eventsDeleted };
}

/**
 * Deletes the visitor state of tracked sites from before `day` (YYYY-MM-DD): which visitor was
 * seen with which value (only the current day's rows are ever consulted), and the keys of the
 * visitor hashes, after which a day's hashes cannot be linked to an address by anyone. Run
 * whatever RETENTION_DAYS says: it is working state, not the record. Batched like the rest.
 */
export async function purgeVisitorState(
  db: Database,
  day: string,
  options: { batchSize?: number; onBatch?: (batch: PurgeBatch) => void } = {},
): Promise<VisitorStateCounts> {
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  const report = options.onBatch ?? (() => {});
  let valuesDeleted = 0;
  for (const siteId of await siteIds(db)) {
    valuesDeleted += await deleteInBatches(
      batchSize,
      report,
      'site_visitor_values',
      async () => {
        const [result] = await db
          .delete(siteVisitorValues)
          .where(and(eq(siteVisitorValues.siteId, siteId), lt(siteVisitorValues.day, day)))
          .orderBy(asc(siteVisitorValues.siteId), asc(siteVisitorValues.day))
          .limit(batchSize);
        return { picked: result.affectedRows, deleted: result.affectedRows };
      },
      valuesDeleted,
    );
  }
  const [keys] = await db.delete(visitorKeys).where(lt(visitorKeys.day, day));
  if (keys.affectedRows > 0) report({ table: 'visitor_keys', deleted: keys.affectedRows, total: keys.affectedRows });
  return { siteVisitorValues: valuesDeleted, visitorKeys: keys.affectedRows };
}

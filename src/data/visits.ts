import { and, asc, countDistinct, desc, eq, gte, lt, lte, or, type SQL, sql, sum } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type * as schema from '../../db/schema';
import { bucketVisitors, COUNTER_SHARDS, serverTotals, USER_AGENT_MAX_LENGTH, visitCounters, visits } from '../../db/schema';
import { bucketOf } from '../domain/time';

/**
 * Every SQL statement the service runs on a request path. Handlers call these named
 * functions; none of them costs more as the visits table grows (see README, "Constant-cost
 * counters", and test/query-plans.test.ts, which EXPLAINs each one).
 */

export type Database = MySql2Database<typeof schema>;

export interface Visit {
  id: number;
  ipAddress: string;
  userAgent: string;
  serverId: string;
  visitedAt: Date;
}

export interface NewVisit extends Omit<Visit, 'id'> {
  /** Idempotency key: a second visit with the same id is not recorded again. */
  requestId: string;
}

export interface VisitPosition {
  visitedAt: Date;
  id: number;
}

export interface VisitFilter {
  serverId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only visits strictly older than this one (keyset pagination). */
  before?: VisitPosition | undefined;
}

/** Truncates on a code point boundary so a 4-byte character is never cut in half. */
export function truncateUserAgent(userAgent: string): string {
  const codePoints = Array.from(userAgent);
  return codePoints.length <= USER_AGENT_MAX_LENGTH ? userAgent : codePoints.slice(0, USER_AGENT_MAX_LENGTH).join('');
}

const MAX_DEADLOCK_RETRIES = 3;

/**
 * Records a visit and bumps its summary counters in one transaction, so the counts always
 * equal the rows. Each visit picks one of COUNTER_SHARDS rows per counter at random, which
 * keeps concurrent visits from queueing on a single hot row. Every transaction locks rows
 * in the same order; a deadlock InnoDB still reports (gap locks on new keys) rolls the whole
 * transaction back, so it is retried as a whole. A request id seen before means a replay
 * (a proxy retrying after a connection error): nothing is recorded and 'duplicate' returned.
 */
export async function recordVisit(
  db: Database,
  visit: NewVisit,
  random: () => number = Math.random,
): Promise<'recorded' | 'duplicate'> {
  const shard = Math.min(COUNTER_SHARDS - 1, Math.floor(random() * COUNTER_SHARDS));
  const bucketStart = bucketOf(visit.visitedAt);
  const row = { ...visit, userAgent: truncateUserAgent(visit.userAgent) };
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        await tx.insert(visits).values(row);
        await tx
          .insert(visitCounters)
          .values({ bucketStart, serverId: visit.serverId, shard, requests: 1 })
          .onDuplicateKeyUpdate({ set: { requests: sql`${visitCounters.requests} + 1` } });
        await tx
          .insert(serverTotals)
          .values({ serverId: visit.serverId, shard, requests: 1 })
          .onDuplicateKeyUpdate({ set: { requests: sql`${serverTotals.requests} + 1` } });
        await tx
          .insert(bucketVisitors)
          .ignore()
          .values({ bucketStart, serverId: visit.serverId, ipAddress: visit.ipAddress });
      });
      return 'recorded';
    } catch (error) {
      const code = driverErrorCode(error);
      // The only unique key a visit insert can break is the request id (the id is generated).
      if (code === 'ER_DUP_ENTRY') return 'duplicate';
      if (attempt >= MAX_DEADLOCK_RETRIES || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) throw error;
    }
  }
}

/** The MySQL error code of a driver error, looking through drizzle's wrapper. */
function driverErrorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Newest first, by (visited_at, id): served from the matching index, never a sort of the table. */
export async function listVisits(db: Database, filter: VisitFilter, limit: number): Promise<Visit[]> {
  const conditions: SQL[] = [];
  if (filter.serverId !== undefined) conditions.push(eq(visits.serverId, filter.serverId));
  if (filter.since !== undefined) conditions.push(gte(visits.visitedAt, filter.since));
  if (filter.until !== undefined) conditions.push(lt(visits.visitedAt, filter.until));
  if (filter.before !== undefined) {
    // (visited_at, id) < (t, i), written so both MySQL and MariaDB use a range on the index.
    const { visitedAt, id } = filter.before;
    conditions.push(lte(visits.visitedAt, visitedAt));
    conditions.push(or(lt(visits.visitedAt, visitedAt), lt(visits.id, id)) as SQL);
  }
  return db
    .select({
      id: visits.id,
      ipAddress: visits.ipAddress,
      userAgent: visits.userAgent,
      serverId: visits.serverId,
      visitedAt: visits.visitedAt,
    })
    .from(visits)
    .where(and(...conditions))
    .orderBy(desc(visits.visitedAt), desc(visits.id))
    .limit(limit);
}

/** All-time requests per server: a sum over servers × shards rows. */
export async function requestsPerServer(db: Database): Promise<{ serverId: string; requests: number }[]> {
  const rows = await db
    .select({ serverId: serverTotals.serverId, requests: sum(serverTotals.requests) })
    .from(serverTotals)
    .groupBy(serverTotals.serverId)
    .orderBy(asc(serverTotals.serverId));
  return rows.map((row) => ({ serverId: row.serverId, requests: Number(row.requests ?? 0) }));
}

/** Requests per quarter-hour bucket in [start, end), keyed by the bucket's epoch milliseconds. */
export async function requestsPerBucket(db: Database, start: Date, end: Date): Promise<Map<number, number>> {
  const rows = await db
    .select({ bucketStart: visitCounters.bucketStart, requests: sum(visitCounters.requests) })
    .from(visitCounters)
    .where(and(gte(visitCounters.bucketStart, start), lt(visitCounters.bucketStart, end)))
    .groupBy(visitCounters.bucketStart);
  return new Map(rows.map((row) => [row.bucketStart.getTime(), Number(row.requests ?? 0)]));
}

/** Distinct visitor addresses in [start, end): bounded by that period's visitors, not its visits. */
export async function uniqueVisitors(db: Database, start: Date, end: Date): Promise<number> {
  const [row] = await db
    .select({ visitors: countDistinct(bucketVisitors.ipAddress) })
    .from(bucketVisitors)
    .where(and(gte(bucketVisitors.bucketStart, start), lt(bucketVisitors.bucketStart, end)));
  return Number(row?.visitors ?? 0);
}

export type DatabaseStatus = 'connected' | 'unhealthy' | 'unreachable';

const UNREACHABLE_CODES = new Set([
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

/**
 * `SELECT 1` within a deadline. `unreachable`: no answer in time or no connection;
 * `unhealthy`: the server answered with an error (credentials, privileges, overload).
 */
export async function checkDatabase(db: Database, timeoutMs: number): Promise<DatabaseStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<DatabaseStatus>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), timeoutMs);
  });
  const probe = db.execute(sql`SELECT 1`).then(
    (): DatabaseStatus => 'connected',
    (error: unknown): DatabaseStatus => (isConnectionError(error) ? 'unreachable' : 'unhealthy'),
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isConnectionError(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

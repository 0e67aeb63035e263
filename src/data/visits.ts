import { and, countDistinct, desc, eq, gte, lt, lte, or, type SQL, sql, sum } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type * as schema from '../../db/schema';
import { ALL_TIME_BUCKET, bucketVisitors, COUNTER_SHARDS, USER_AGENT_MAX_LENGTH, visitCounters, visits } from '../../db/schema';
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
  /** Recorded by a crawler, script, monitor or health checker (src/domain/bot-detection.ts). */
  isBot: boolean;
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
 * Visitors this process has already written to bucket_visitors for the current bucket,
 * per database handle. A returning visitor's INSERT IGNORE would change nothing, so it is
 * skipped: one statement less per visit for repeat visitors. Only committed rows are
 * remembered, and the memory is dropped whenever the bucket changes (and capped).
 */
const knownVisitors = new WeakMap<Database, { bucket: number; keys: Set<string> }>();
const KNOWN_VISITORS_CAP = 50_000;

function knownVisitorsFor(db: Database, bucket: number): Set<string> {
  let entry = knownVisitors.get(db);
  if (entry === undefined || entry.bucket !== bucket || entry.keys.size >= KNOWN_VISITORS_CAP) {
    entry = { bucket, keys: new Set() };
    knownVisitors.set(db, entry);
  }
  return entry.keys;
}

/**
 * Records a visit and bumps its summary counters in one transaction, so the counts always
 * equal the rows (writeVisits). A request id seen before means a replay (a proxy retrying
 * after a connection error): nothing is recorded and 'duplicate' returned.
 */
export async function recordVisit(
  db: Database,
  visit: NewVisit,
  random: () => number = Math.random,
): Promise<'recorded' | 'duplicate'> {
  try {
    await writeVisits(db, [visit], random);
    return 'recorded';
  } catch (error) {
    // The only unique key a visit insert can break is the request id (the id is generated).
    if (driverErrorCode(error) === 'ER_DUP_ENTRY') return 'duplicate';
    throw error;
  }
}

/**
 * Records several visits in one transaction (writeVisits): under load this is what keeps the
 * database's work per visit small (src/data/visit-batcher.ts gathers the batches). A request id
 * seen before anywhere in the batch (a proxy's replay) makes the whole insert fail; the batch is
 * then recorded visit by visit, so each replay is told apart.
 */
export async function recordVisits(
  db: Database,
  batch: readonly NewVisit[],
  random: () => number = Math.random,
): Promise<('recorded' | 'duplicate')[]> {
  const [single] = batch;
  if (batch.length === 1 && single !== undefined) return [await recordVisit(db, single, random)];
  try {
    await writeVisits(db, batch, random);
    return batch.map(() => 'recorded');
  } catch (error) {
    if (driverErrorCode(error) !== 'ER_DUP_ENTRY') throw error;
    const outcomes: ('recorded' | 'duplicate')[] = [];
    for (const visit of batch) outcomes.push(await recordVisit(db, visit, random));
    return outcomes;
  }
}

/**
 * The one transaction that records visits: a (multi-row) insert of the visits, one counter
 * upsert per bucket (its bucket row and the server's all-time row, incremented by the bucket's
 * share of the visits), and one insert of the visitors not yet written this bucket. Everything
 * commits or nothing does. The transaction picks one of COUNTER_SHARDS rows per counter at
 * random, which keeps concurrent transactions from queueing on a single hot row; all lock rows
 * in the same order, and a deadlock InnoDB still reports (gap locks on new keys) rolls the
 * whole transaction back, so it is retried as a whole. Other errors, a replayed request id's
 * ER_DUP_ENTRY included, are thrown.
 */
async function writeVisits(db: Database, batch: readonly NewVisit[], random: () => number): Promise<void> {
  if (batch.length === 0) return;
  const shard = Math.min(COUNTER_SHARDS - 1, Math.floor(random() * COUNTER_SHARDS));
  const rows = batch.map((visit) => ({ ...visit, userAgent: truncateUserAgent(visit.userAgent) }));

  // Per bucket and server: how many requests, how many of them bots.
  const increments = new Map<string, { bucketStart: Date; serverId: string; requests: number; botRequests: number }>();
  for (const visit of batch) {
    const bucketStart = bucketOf(visit.visitedAt);
    const counted = `${bucketStart.getTime()} ${visit.serverId}`;
    const increment = increments.get(counted) ?? { bucketStart, serverId: visit.serverId, requests: 0, botRequests: 0 };
    increment.requests += 1;
    increment.botRequests += visit.isBot ? 1 : 0;
    increments.set(counted, increment);
  }
  const counterUpdates = [...increments.values()].sort(byBucketAndServer);

  for (let attempt = 1; ; attempt++) {
    // Decided per attempt: a visitor this process wrote meanwhile needs no second write.
    const newVisitors = visitorsToWrite(db, batch);
    const humans = newVisitors.filter((visitor) => !visitor.isBot).map(visitorRow);
    const bots = newVisitors.filter((visitor) => visitor.isBot).map(visitorRow);
    try {
      await db.transaction(async (tx) => {
        await tx.insert(visits).values(rows);
        for (const { bucketStart, serverId, requests, botRequests } of counterUpdates) {
          await tx
            .insert(visitCounters)
            .values([
              { bucketStart, serverId, shard, requests, botRequests },
              { bucketStart: ALL_TIME_BUCKET, serverId, shard, requests, botRequests },
            ])
            .onDuplicateKeyUpdate({
              set: {
                // Both rows get the same increments, so parameters do (no VALUES(), deprecated on MySQL 8).
                requests: sql`${visitCounters.requests} + ${requests}`,
                botRequests: sql`${visitCounters.botRequests} + ${botRequests}`,
              },
            });
        }
        // A person's visit clears the bot flag of an existing row; a bot's never changes one.
        if (humans.length > 0)
          await tx
            .insert(bucketVisitors)
            .values(humans)
            .onDuplicateKeyUpdate({ set: { isBot: false } });
        if (bots.length > 0) await tx.insert(bucketVisitors).ignore().values(bots);
      });
      for (const visitor of newVisitors) visitor.seen.add(visitorKey(visitor.serverId, visitor.ipAddress, visitor.isBot));
      return;
    } catch (error) {
      const code = driverErrorCode(error);
      if (attempt >= MAX_DEADLOCK_RETRIES || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) throw error;
    }
  }
}

interface PendingVisitor {
  bucketStart: Date;
  serverId: string;
  ipAddress: string;
  isBot: boolean;
  /** The known-visitor set of its bucket, to remember it in once committed. */
  seen: Set<string>;
}

function visitorKey(serverId: string, ipAddress: string, isBot: boolean): string {
  return `${serverId} ${ipAddress} ${isBot ? 'bot' : 'human'}`;
}

/**
 * The bucket_visitors rows the visits need, one per bucket, server and address, in lock order.
 * A visitor already written as human this bucket needs nothing more; one written as a bot only
 * needs another write when a person's visit from the same address clears its flag. Within the
 * batch an address is human if any of its visits was.
 */
function visitorsToWrite(db: Database, batch: readonly NewVisit[]): PendingVisitor[] {
  const visitors = new Map<string, PendingVisitor>();
  for (const visit of batch) {
    const bucketStart = bucketOf(visit.visitedAt);
    const seen = knownVisitorsFor(db, bucketStart.getTime());
    if (seen.has(visitorKey(visit.serverId, visit.ipAddress, false))) continue;
    if (visit.isBot && seen.has(visitorKey(visit.serverId, visit.ipAddress, true))) continue;
    const key = `${bucketStart.getTime()} ${visit.serverId} ${visit.ipAddress}`;
    const visitor = visitors.get(key);
    if (visitor === undefined)
      visitors.set(key, { bucketStart, serverId: visit.serverId, ipAddress: visit.ipAddress, isBot: visit.isBot, seen });
    else visitor.isBot &&= visit.isBot;
  }
  return [...visitors.values()].sort((a, b) => byBucketAndServer(a, b) || (a.ipAddress < b.ipAddress ? -1 : 1));
}

function visitorRow({ bucketStart, serverId, ipAddress, isBot }: PendingVisitor) {
  return { bucketStart, serverId, ipAddress, isBot };
}

/** The order every transaction locks counter and visitor rows in. */
function byBucketAndServer(a: { bucketStart: Date; serverId: string }, b: { bucketStart: Date; serverId: string }): number {
  return a.bucketStart.getTime() - b.bucketStart.getTime() || (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0);
}

/** The MySQL error code of a driver error, looking through drizzle's wrapper. */
function driverErrorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Query builders prepared once per database handle and reused with new values: building
 * SQL through drizzle costs more CPU than a cached statement, and these run on every
 * request. Drizzle's mysql2 "prepared" queries are plain text queries with client-side
 * placeholders, so they are safe behind Hyperdrive (no protocol-level PREPARE).
 */
const preparedByDatabase = new WeakMap<Database, Map<string, unknown>>();

function prepared<T>(db: Database, key: string, build: () => T): T {
  let cache = preparedByDatabase.get(db);
  if (cache === undefined) {
    cache = new Map();
    preparedByDatabase.set(db, cache);
  }
  let query = cache.get(key) as T | undefined;
  if (query === undefined) {
    query = build();
    cache.set(key, query);
  }
  return query;
}

const placeholder = sql.placeholder;

/** Newest first, by (visited_at, id): served from the matching index, never a sort of the table. */
export async function listVisits(db: Database, filter: VisitFilter, limit: number): Promise<Visit[]> {
  const shape = [filter.serverId, filter.since, filter.until, filter.before]
    .map((part) => (part === undefined ? '-' : '+'))
    .join('');
  const query = prepared(db, `listVisits ${shape}`, () => {
    const conditions: SQL[] = [];
    if (filter.serverId !== undefined) conditions.push(eq(visits.serverId, placeholder('serverId')));
    if (filter.since !== undefined) conditions.push(gte(visits.visitedAt, placeholder('since')));
    if (filter.until !== undefined) conditions.push(lt(visits.visitedAt, placeholder('until')));
    if (filter.before !== undefined) {
      // (visited_at, id) < (t, i), written so both MySQL and MariaDB use a range on the index.
      conditions.push(lte(visits.visitedAt, placeholder('beforeAt')));
      conditions.push(or(lt(visits.visitedAt, placeholder('beforeAt')), lt(visits.id, placeholder('beforeId'))) as SQL);
    }
    return db
      .select({
        id: visits.id,
        ipAddress: visits.ipAddress,
        userAgent: visits.userAgent,
        serverId: visits.serverId,
        visitedAt: visits.visitedAt,
        isBot: visits.isBot,
      })
      .from(visits)
      .where(and(...conditions))
      .orderBy(desc(visits.visitedAt), desc(visits.id))
      .limit(placeholder('limit'))
      .prepare();
  });
  return query.execute({
    serverId: filter.serverId,
    since: filter.since,
    until: filter.until,
    beforeAt: filter.before?.visitedAt,
    beforeId: filter.before?.id,
    limit,
  });
}

/** A number of requests, and how many of them came from bots. */
export interface RequestCount {
  requests: number;
  botRequests: number;
}

export interface RequestCounts {
  /** All-time requests per server, by server id. */
  perServer: ({ serverId: string } & RequestCount)[];
  /** Requests per quarter-hour bucket in the range, keyed by the bucket's epoch milliseconds. */
  perBucket: Map<number, RequestCount>;
}

/**
 * All-time requests per server and requests per bucket in [start, end), in one read of
 * visit_counters: the all-time rows plus one range of buckets, at most
 * (buckets in the range + 1) × servers × shards rows however many visits there are.
 */
export async function requestCounts(db: Database, start: Date, end: Date): Promise<RequestCounts> {
  const query = prepared(db, 'requestCounts', () =>
    db
      .select({
        bucketStart: visitCounters.bucketStart,
        serverId: visitCounters.serverId,
        requests: sum(visitCounters.requests),
        botRequests: sum(visitCounters.botRequests),
      })
      .from(visitCounters)
      .where(
        or(
          eq(visitCounters.bucketStart, ALL_TIME_BUCKET),
          and(gte(visitCounters.bucketStart, placeholder('start')), lt(visitCounters.bucketStart, placeholder('end'))),
        ),
      )
      .groupBy(visitCounters.bucketStart, visitCounters.serverId)
      .prepare(),
  );
  const rows = await query.execute({ start, end });
  const perServer: RequestCounts['perServer'] = [];
  const perBucket = new Map<number, RequestCount>();
  for (const row of rows) {
    const requests = Number(row.requests ?? 0);
    const botRequests = Number(row.botRequests ?? 0);
    const bucket = row.bucketStart.getTime();
    if (bucket === ALL_TIME_BUCKET.getTime()) perServer.push({ serverId: row.serverId, requests, botRequests });
    else {
      const sofar = perBucket.get(bucket) ?? { requests: 0, botRequests: 0 };
      perBucket.set(bucket, { requests: sofar.requests + requests, botRequests: sofar.botRequests + botRequests });
    }
  }
  perServer.sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
  return { perServer, perBucket };
}

/** Distinct visitors in a period: every address, and the addresses with at least one human visit. */
export interface VisitorCounts {
  all: number;
  humans: number;
}

/**
 * Requests per bucket in [start, end), all servers together, without the all-time rows: the
 * part of a day that no longer changes, read once and kept (src/data/day-counts.ts).
 */
export async function bucketRequestCounts(db: Database, start: Date, end: Date): Promise<Map<number, RequestCount>> {
  const query = prepared(db, 'bucketRequestCounts', () =>
    db
      .select({
        bucketStart: visitCounters.bucketStart,
        requests: sum(visitCounters.requests),
        botRequests: sum(visitCounters.botRequests),
      })
      .from(visitCounters)
      .where(and(gte(visitCounters.bucketStart, placeholder('start')), lt(visitCounters.bucketStart, placeholder('end'))))
      .groupBy(visitCounters.bucketStart)
      .prepare(),
  );
  const rows = await query.execute({ start, end });
  return new Map(
    rows.map((row) => [
      row.bucketStart.getTime(),
      { requests: Number(row.requests ?? 0), botRequests: Number(row.botRequests ?? 0) },
    ]),
  );
}

/**
 * Distinct visitor addresses in [start, end), with and without bots, in one pass over the
 * period's rows: bounded by that period's visitors, not its visits.
 */
export async function uniqueVisitors(db: Database, start: Date, end: Date): Promise<VisitorCounts> {
  const query = prepared(db, 'uniqueVisitors', () =>
    db
      .select({
        visitors: countDistinct(bucketVisitors.ipAddress),
        humans: sql<number>`COUNT(DISTINCT CASE WHEN ${bucketVisitors.isBot} = 0 THEN ${bucketVisitors.ipAddress} END)`,
      })
      .from(bucketVisitors)
      .where(and(gte(bucketVisitors.bucketStart, placeholder('start')), lt(bucketVisitors.bucketStart, placeholder('end'))))
      .prepare(),
  );
  const [row] = await query.execute({ start, end });
  return { all: Number(row?.visitors ?? 0), humans: Number(row?.humans ?? 0) };
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

/** True for a driver error that means no connection (refused, reset, lost, timed out), not a failed statement. */
export function isConnectionError(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

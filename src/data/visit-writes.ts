import { sql } from 'drizzle-orm';
import { ALL_TIME_BUCKET, bucketVisitors, COUNTER_SHARDS, visitCounters, visits } from '../../db/schema';
import { bucketOf } from '../domain/time';
import { type NewVisit, truncateUserAgent, type VisitOutcome } from '../domain/visit';
import { type DatabaseHandle, type Driver, driverErrorCode, inTransaction } from './database';
import { type BuiltStatement, builtStatement, perRowCountCache, placeholderRows, rowValues, runStatement } from './statements';

/**
 * The statements that record visits. Each visit is inserted with its summary counters in one
 * transaction, so the counts always equal the rows (docs/counters.md).
 */

export interface VisitWriter {
  /**
   * Records visits in one transaction: under load this is what keeps the database's work per
   * visit small (src/services/visit-batcher.ts gathers the batches). A request id seen before
   * means a replay (a proxy retrying after a connection error): that visit is 'duplicate' and
   * not recorded again. A replay anywhere in a batch makes the whole insert fail; the batch is
   * then recorded visit by visit, so each replay is told apart.
   */
  recordVisits(batch: readonly NewVisit[]): Promise<VisitOutcome[]>;
}

const MAX_DEADLOCK_RETRIES = 3;

/**
 * Visitors this writer has already written to bucket_visitors for the current bucket. A
 * returning visitor's INSERT IGNORE would change nothing, so it is skipped: one statement less
 * per visit for repeat visitors. Only committed rows are remembered, and the memory is dropped
 * whenever the bucket changes (and capped).
 */
const KNOWN_VISITORS_CAP = 50_000;

export function createVisitWriter(handle: DatabaseHandle, random: () => number = Math.random): VisitWriter {
  const statements = writeStatements(handle);
  let known: { bucket: number; keys: Set<string> } = { bucket: Number.NaN, keys: new Set() };
  const knownVisitorsOf = (bucket: number): Set<string> => {
    if (known.bucket !== bucket || known.keys.size >= KNOWN_VISITORS_CAP) known = { bucket, keys: new Set() };
    return known.keys;
  };

  const recordOne = async (visit: NewVisit): Promise<VisitOutcome> => {
    try {
      await writeVisits(handle, statements, [visit], random, knownVisitorsOf);
      return 'recorded';
    } catch (error) {
      // The only unique key a visit insert can break is the request id (the id is generated).
      if (driverErrorCode(error) === 'ER_DUP_ENTRY') return 'duplicate';
      throw error;
    }
  };

  return {
    async recordVisits(batch) {
      const [single] = batch;
      if (batch.length === 1 && single !== undefined) return [await recordOne(single)];
      try {
        await writeVisits(handle, statements, batch, random, knownVisitorsOf);
        return batch.map(() => 'recorded');
      } catch (error) {
        if (driverErrorCode(error) !== 'ER_DUP_ENTRY') throw error;
        const outcomes: VisitOutcome[] = [];
        for (const visit of batch) outcomes.push(await recordOne(visit));
        return outcomes;
      }
    },
  };
}

/**
 * The one transaction that records visits: a (multi-row) insert of the visits, one insert of
 * the visitors not yet written this bucket, and last one counter upsert per bucket (its bucket
 * row and the server's all-time row, incremented by the bucket's share of the visits). Everything
 * commits or nothing does. The transaction picks one of COUNTER_SHARDS rows per counter at
 * random, which keeps concurrent transactions from queueing on a single hot row; all lock rows
 * in the same order, and a deadlock InnoDB still reports (gap locks on new keys) rolls the
 * whole transaction back, so it is retried as a whole. Other errors, a replayed request id's
 * ER_DUP_ENTRY included, are thrown.
 */
async function writeVisits(
  handle: DatabaseHandle,
  statements: WriteStatements,
  batch: readonly NewVisit[],
  random: () => number,
  knownVisitorsOf: (bucket: number) => Set<string>,
): Promise<void> {
  if (batch.length === 0) return;
  const shard = Math.min(COUNTER_SHARDS - 1, Math.floor(random() * COUNTER_SHARDS));
  const rows = batch.map((visit) => ({ ...visit, userAgent: truncateUserAgent(visit.userAgent) }));
  const insertVisits = statements.insertVisits(rows.length);
  const visitValues = rowValues(rows, VISIT_COLUMNS);

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
    // Decided per attempt: a visitor this writer wrote meanwhile needs no second write.
    const newVisitors = visitorsToWrite(batch, knownVisitorsOf);
    const humans = newVisitors.filter((visitor) => !visitor.isBot).map(visitorRow);
    const bots = newVisitors.filter((visitor) => visitor.isBot).map(visitorRow);
    try {
      await inTransaction(handle, async (connection: Driver) => {
        await runStatement(connection, insertVisits, visitValues);
        // A person's visit clears the bot flag of an existing row; a bot's never changes one.
        if (humans.length > 0)
          await runStatement(connection, statements.insertHumans(humans.length), rowValues(humans, VISITOR_COLUMNS));
        if (bots.length > 0) await runStatement(connection, statements.insertBots(bots.length), rowValues(bots, VISITOR_COLUMNS));
        // The counter rows are the ones every concurrent transaction wants: locked last, they are
        // held for the round trip to the COMMIT only (200 concurrent visits on the Worker, one
        // transaction each: about a fifth less time waiting on row locks in all).
        for (const { bucketStart, serverId, requests, botRequests } of counterUpdates)
          await runStatement(connection, statements.addToCounters, { bucketStart, serverId, shard, requests, botRequests });
      });
      for (const visitor of newVisitors) visitor.seen.add(visitorKey(visitor.serverId, visitor.ipAddress, visitor.isBot));
      return;
    } catch (error) {
      const code = driverErrorCode(error);
      if (attempt >= MAX_DEADLOCK_RETRIES || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) throw error;
    }
  }
}

const VISIT_COLUMNS = ['ipAddress', 'userAgent', 'serverId', 'visitedAt', 'requestId', 'isBot'] as const;
const VISITOR_COLUMNS = ['bucketStart', 'serverId', 'ipAddress', 'isBot'] as const;

type CounterIncrement = 'bucketStart' | 'serverId' | 'shard' | 'requests' | 'botRequests';

interface WriteStatements {
  insertVisits(rows: number): BuiltStatement<string>;
  /** Adds to a bucket's counter row and the server's all-time row (the same shard), creating them if new. */
  addToCounters: BuiltStatement<CounterIncrement>;
  /** bucket_visitors rows of people: an existing row loses its bot flag. */
  insertHumans(rows: number): BuiltStatement<string>;
  /** bucket_visitors rows of bots: an existing row stays as it is. */
  insertBots(rows: number): BuiltStatement<string>;
}

/** The write transaction's statements, built on the schema with placeholders `column:row`. */
function writeStatements({ db }: DatabaseHandle): WriteStatements {
  const perRowCount = perRowCountCache();
  const placeholder = sql.placeholder;
  const counterRow = (bucketStart: Date | ReturnType<typeof placeholder>) => ({
    bucketStart,
    serverId: placeholder('serverId'),
    shard: placeholder('shard'),
    requests: placeholder('requests'),
    botRequests: placeholder('botRequests'),
  });
  return {
    insertVisits: perRowCount('visits', (rows) =>
      builtStatement(db.insert(visits).values(placeholderRows(rows, VISIT_COLUMNS)).toSQL()),
    ),
    addToCounters: builtStatement<CounterIncrement>(
      db
        .insert(visitCounters)
        .values([counterRow(placeholder('bucketStart')), counterRow(ALL_TIME_BUCKET)])
        .onDuplicateKeyUpdate({
          set: {
            // Both rows get the same increments, so parameters do (no VALUES(), deprecated on MySQL 8).
            requests: sql`${visitCounters.requests} + ${placeholder('requests')}`,
            botRequests: sql`${visitCounters.botRequests} + ${placeholder('botRequests')}`,
          },
        })
        .toSQL(),
    ),
    insertHumans: perRowCount('humans', (rows) =>
      builtStatement(
        db
          .insert(bucketVisitors)
          .values(placeholderRows(rows, VISITOR_COLUMNS))
          .onDuplicateKeyUpdate({ set: { isBot: false } })
          .toSQL(),
      ),
    ),
    insertBots: perRowCount('bots', (rows) =>
      builtStatement(db.insert(bucketVisitors).ignore().values(placeholderRows(rows, VISITOR_COLUMNS)).toSQL()),
    ),
  };
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
function visitorsToWrite(batch: readonly NewVisit[], knownVisitorsOf: (bucket: number) => Set<string>): PendingVisitor[] {
  const visitors = new Map<string, PendingVisitor>();
  for (const visit of batch) {
    const bucketStart = bucketOf(visit.visitedAt);
    const seen = knownVisitorsOf(bucketStart.getTime());
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

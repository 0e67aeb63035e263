import { and, eq, inArray, sql } from 'drizzle-orm';
import { COUNTER_SHARDS, siteCounters, siteDayValues, siteEvents, siteVisitorValues, visitorKeys } from '../../db/schema';
import type { PageView } from '../domain/page-view';
import { createRecentMap } from '../domain/recent-map';
import { dimensionValues, SITE_TOTAL } from '../domain/site-dimensions';
import { bucketOf } from '../domain/time';
import { type DatabaseHandle, driverErrorCode, inTransaction } from './database';
import { builtStatement, inSlices, perRowCountCache, placeholderRows, rowValues, runStatement, runWrite } from './statements';

/**
 * The statements that record tracked sites' page views. Each batch of events is inserted with
 * its rollups in one transaction (quarter-hour counters, and per day and dimension value), so
 * the figures always equal the people's rows (bots are stored, flagged, and counted nowhere).
 */
export interface SiteEventWriter {
  /** Records page views in one transaction (src/services/visit-batcher.ts gathers them on Node). */
  recordPageViews(batch: readonly PageView[]): Promise<void>;
  /** The secret that keys a UTC day's visitor hashes (YYYY-MM-DD), made by the first caller of the day. */
  visitorKey(day: string, candidate: string): Promise<string>;
}

const MAX_DEADLOCK_RETRIES = 3;
/** 10,000 to 20,000 keys, about 2 MB: a busy hour's returning visitors. */
const KNOWN_ROWS = 10_000;
const EVENT_COLUMNS = [
  'siteId',
  'occurredAt',
  'path',
  'referrerHost',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'browser',
  'os',
  'device',
  'country',
  'visitorHash',
  'isBot',
] as const;
const VISITOR_VALUE_COLUMNS = ['siteId', 'day', 'visitorHash', 'dimension', 'value', 'batch'] as const;
const DAY_VALUE_COLUMNS = ['siteId', 'dimension', 'day', 'value', 'pageviews', 'visitors'] as const;

type CounterIncrement = 'siteId' | 'bucketStart' | 'shard' | 'pageviews' | 'visitors';

/** A transaction's mark on the visitor-value rows it inserts: random, and a safe integer. */
const batchMark = () => Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);

export function createSiteEventWriter(handle: DatabaseHandle, random: () => number = Math.random): SiteEventWriter {
  const { db } = handle;
  const perRowCount = perRowCountCache();
  const placeholder = sql.placeholder;
  const insertEvents = perRowCount('events', (rows) =>
    builtStatement(db.insert(siteEvents).values(placeholderRows(rows, EVENT_COLUMNS)).toSQL()),
  );
  const insertVisitorValues = perRowCount('visitor-values', (rows) =>
    builtStatement(db.insert(siteVisitorValues).ignore().values(placeholderRows(rows, VISITOR_VALUE_COLUMNS)).toSQL()),
  );
  // The rows this transaction inserted, found by its mark through the primary key's prefix.
  const selectInserted = perRowCount('inserted-visitor-values', (visitors) =>
    builtStatement(
      db
        .select({
          visitorHash: siteVisitorValues.visitorHash,
          dimension: siteVisitorValues.dimension,
          value: siteVisitorValues.value,
        })
        .from(siteVisitorValues)
        .where(
          and(
            eq(siteVisitorValues.siteId, placeholder('siteId')),
            eq(siteVisitorValues.day, placeholder('day')),
            inArray(
              siteVisitorValues.visitorHash,
              Array.from({ length: visitors }, (_, index) => placeholder(`visitorHash:${index}`)),
            ),
            eq(siteVisitorValues.batch, placeholder('batch')),
          ),
        )
        .toSQL(),
    ),
  );
  // VALUES(column) is the new row's value on MySQL 8.4 (deprecated there, still supported) and
  // MariaDB 10.11; the row alias MySQL prefers (`AS new`) does not exist on MariaDB.
  const addToDayValues = perRowCount('day-values', (rows) =>
    builtStatement(
      db
        .insert(siteDayValues)
        .values(placeholderRows(rows, DAY_VALUE_COLUMNS))
        .onDuplicateKeyUpdate({
          set: {
            pageviews: sql`${siteDayValues.pageviews} + values(${siteDayValues.pageviews})`,
            visitors: sql`${siteDayValues.visitors} + values(${siteDayValues.visitors})`,
          },
        })
        .toSQL(),
    ),
  );
  const addToCounters = builtStatement<CounterIncrement>(
    db
      .insert(siteCounters)
      .values({
        siteId: placeholder('siteId'),
        bucketStart: placeholder('bucketStart'),
        shard: placeholder('shard'),
        pageviews: placeholder('pageviews'),
        visitors: placeholder('visitors'),
      })
      .onDuplicateKeyUpdate({
        set: {
          pageviews: sql`${siteCounters.pageviews} + ${placeholder('pageviews')}`,
          visitors: sql`${siteCounters.visitors} + ${placeholder('visitors')}`,
        },
      })
      .toSQL(),
  );
  const insertKey = builtStatement<'day' | 'secret'>(
    db
      .insert(visitorKeys)
      .ignore()
      .values({ day: placeholder('day'), secret: placeholder('secret') })
      .toSQL(),
  );
  const readKey = builtStatement<'day'>(
    db
      .select({ secret: visitorKeys.secret })
      .from(visitorKeys)
      .where(eq(visitorKeys.day, placeholder('day')))
      .toSQL(),
  );

  // The visitor-value rows committed lately (by key), so a returning visitor's next page views
  // cost no INSERT IGNORE. Bounded: a forgotten row is only inserted again, and ignored.
  const known = createRecentMap<true>(KNOWN_ROWS);
  const keyOf = (row: VisitorValue) => visitorValueKey(row.siteId, row.day, row.visitorHash, row.dimension, row.value);

  return {
    async recordPageViews(batch) {
      if (batch.length === 0) return;
      const shard = Math.min(COUNTER_SHARDS - 1, Math.floor(random() * COUNTER_SHARDS));
      const people = batch.filter((view) => !view.isBot);
      const eventValues = rowValues(batch, EVENT_COLUMNS);
      const seen = visitorValueRows(people);
      for (let attempt = 1; ; attempt++) {
        const batchId = batchMark();
        try {
          await inTransaction(handle, async (connection) => {
            await runStatement(connection, insertEvents(batch.length), eventValues);
            if (people.length === 0) return;
            // In primary-key order, the order every transaction locks them in. A row already
            // there (this visitor, this value, this day) is skipped: a concurrent transaction's
            // row makes this one wait for it, so each visitor is new for a value exactly once.
            // Rows this handle has seen committed are there for good (until the day is purged):
            // skipping them is what INSERT IGNORE would do, without the round trips.
            const unknown = seen.filter((row) => known.get(keyOf(row)) === undefined);
            const inserted = new Set<string>();
            if (unknown.length > 0) {
              const rows = unknown.map((row) => ({ ...row, batch: batchId }));
              let added = 0;
              for (const slice of inSlices(rows)) {
                added += await runWrite(connection, insertVisitorValues(slice.length), rowValues(slice, VISITOR_VALUE_COLUMNS));
              }
              // All new or none new: no need to ask which.
              if (added === rows.length) for (const row of rows) inserted.add(keyOf(row));
              else if (added > 0) {
                for (const group of visitorsBySiteDay(unknown)) {
                  const named: Record<string, unknown> = { siteId: group.siteId, day: group.day, batch: batchId };
                  group.visitorHashes.forEach((visitorHash, index) => {
                    named[`visitorHash:${index}`] = visitorHash;
                  });
                  for (const [visitorHash, dimension, value] of await runStatement(
                    connection,
                    selectInserted(group.visitorHashes.length),
                    named,
                  )) {
                    inserted.add(visitorValueKey(group.siteId, group.day, String(visitorHash), Number(dimension), String(value)));
                  }
                }
              }
            }
            const rollups = rollUp(people, inserted);
            for (const counter of rollups.counters) {
              await runStatement(connection, addToCounters, { ...counter, shard });
            }
            for (const slice of inSlices(rollups.dayValues)) {
              await runStatement(connection, addToDayValues(slice.length), rowValues(slice, DAY_VALUE_COLUMNS));
            }
          });
          for (const row of seen) known.set(keyOf(row), true);
          return;
        } catch (error) {
          const code = driverErrorCode(error);
          if (attempt >= MAX_DEADLOCK_RETRIES || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) throw error;
        }
      }
    },

    async visitorKey(day, candidate) {
      // The first writer of the day wins; everyone reads the same secret back.
      await runStatement(handle.driver, insertKey, { day, secret: candidate });
      const [row] = await runStatement(handle.driver, readKey, { day });
      const secret = row?.[0];
      if (typeof secret !== 'string') throw new Error(`no visitor key for ${day} after inserting one`);
      return secret;
    },
  };
}

interface VisitorValue {
  siteId: number;
  day: string;
  visitorHash: string;
  dimension: number;
  value: string;
}

const visitorValueKey = (siteId: number, day: string, visitorHash: string, dimension: number, value: string) =>
  `${siteId}\n${day}\n${visitorHash}\n${dimension}\n${value}`;

/**
 * The visitor-value rows a batch of people's page views needs, once each, in primary-key
 * order: the visitor on the site's day (SITE_TOTAL), and each value of a dimension that can
 * change within a visitor's day.
 */
function visitorValueRows(people: readonly PageView[]): VisitorValue[] {
  const rows = new Map<string, VisitorValue>();
  const add = (view: PageView, dimension: number, value: string) => {
    const key = visitorValueKey(view.siteId, view.day, view.visitorHash, dimension, value);
    if (!rows.has(key)) rows.set(key, { siteId: view.siteId, day: view.day, visitorHash: view.visitorHash, dimension, value });
  };
  for (const view of people) {
    add(view, SITE_TOTAL, '');
    for (const { dimension, value } of dimensionValues(view)) if (!dimension.perVisitor) add(view, dimension.code, value);
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.siteId - b.siteId ||
      compare(a.day, b.day) ||
      compare(a.visitorHash, b.visitorHash) ||
      a.dimension - b.dimension ||
      compare(a.value, b.value),
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The distinct visitors of each site and day among the rows. */
function visitorsBySiteDay(rows: readonly VisitorValue[]): { siteId: number; day: string; visitorHashes: string[] }[] {
  const groups = new Map<string, { siteId: number; day: string; visitorHashes: Set<string> }>();
  for (const row of rows) {
    const key = `${row.siteId}\n${row.day}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { siteId: row.siteId, day: row.day, visitorHashes: new Set() };
      groups.set(key, group);
    }
    group.visitorHashes.add(row.visitorHash);
  }
  return [...groups.values()].map((group) => ({ ...group, visitorHashes: [...group.visitorHashes] }));
}

interface Tally {
  pageviews: number;
  visitors: number;
}

/**
 * What the people's page views add to the counters: page views per site and quarter hour, and
 * per site, dimension, day and value; visitors where `inserted` (the visitor-value rows this
 * transaction added) says the visitor is new. A visitor new for the day counts in the quarter
 * hour of their first view in the batch, and for the browser, OS, device and country of it.
 */
function rollUp(people: readonly PageView[], inserted: ReadonlySet<string>) {
  const counters = new Map<string, { siteId: number; bucketStart: Date } & Tally>();
  const dayValues = new Map<string, { siteId: number; dimension: number; day: string; value: string } & Tally>();
  const counted = new Set<string>();
  const tally = (view: PageView, dimension: number, value: string, isNew: boolean) => {
    const key = `${view.siteId}\n${dimension}\n${view.day}\n${value}`;
    let row = dayValues.get(key);
    if (row === undefined) {
      row = { siteId: view.siteId, dimension, day: view.day, value, pageviews: 0, visitors: 0 };
      dayValues.set(key, row);
    }
    row.pageviews += 1;
    if (isNew) row.visitors += 1;
  };
  // True the first time a visitor-value row this transaction inserted is met.
  const firstNew = (view: PageView, dimension: number, value: string) => {
    const key = visitorValueKey(view.siteId, view.day, view.visitorHash, dimension, value);
    if (!inserted.has(key) || counted.has(key)) return false;
    counted.add(key);
    return true;
  };
  for (const view of people) {
    const bucketStart = bucketOf(view.occurredAt);
    const counterKey = `${view.siteId}\n${bucketStart.getTime()}`;
    let counter = counters.get(counterKey);
    if (counter === undefined) {
      counter = { siteId: view.siteId, bucketStart, pageviews: 0, visitors: 0 };
      counters.set(counterKey, counter);
    }
    const newVisitor = firstNew(view, SITE_TOTAL, '');
    counter.pageviews += 1;
    if (newVisitor) counter.visitors += 1;
    tally(view, SITE_TOTAL, '', newVisitor);
    for (const { dimension, value } of dimensionValues(view)) {
      tally(view, dimension.code, value, dimension.perVisitor ? newVisitor : firstNew(view, dimension.code, value));
    }
  }
  // Each sorted in primary-key order: the order every transaction takes their locks in.
  return {
    counters: [...counters.values()].sort((a, b) => a.siteId - b.siteId || a.bucketStart.getTime() - b.bucketStart.getTime()),
    dayValues: [...dayValues.values()].sort(
      (a, b) => a.siteId - b.siteId || a.dimension - b.dimension || compare(a.day, b.day) || compare(a.value, b.value),
    ),
  };
}

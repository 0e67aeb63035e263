import { eq, sql } from 'drizzle-orm';
import { COUNTER_SHARDS, siteCounters, siteDayVisitors, siteEvents, visitorKeys } from '../../db/schema';
import type { PageView } from '../domain/page-view';
import { bucketOf } from '../domain/time';
import { type DatabaseHandle, driverErrorCode, inTransaction } from './database';
import { builtStatement, perRowCountCache, placeholderRows, rowValues, runStatement, runWrite } from './statements';

/**
 * The statements that record tracked sites' page views. Each batch of events is inserted with
 * its rollups in one transaction, so the figures always equal the people's rows (bots are
 * stored, flagged, and counted nowhere).
 */
export interface SiteEventWriter {
  /** Records page views in one transaction (src/services/visit-batcher.ts gathers them on Node). */
  recordPageViews(batch: readonly PageView[]): Promise<void>;
  /** The secret that keys a UTC day's visitor hashes (YYYY-MM-DD), made by the first caller of the day. */
  visitorKey(day: string, candidate: string): Promise<string>;
}

const MAX_DEADLOCK_RETRIES = 3;
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
const DAY_VISITOR_COLUMNS = ['siteId', 'day', 'visitorHash'] as const;

type CounterIncrement = 'siteId' | 'bucketStart' | 'shard' | 'pageviews' | 'visitors';

export function createSiteEventWriter(handle: DatabaseHandle, random: () => number = Math.random): SiteEventWriter {
  const { db } = handle;
  const perRowCount = perRowCountCache();
  const placeholder = sql.placeholder;
  const insertEvents = perRowCount('events', (rows) =>
    builtStatement(db.insert(siteEvents).values(placeholderRows(rows, EVENT_COLUMNS)).toSQL()),
  );
  const insertDayVisitors = perRowCount('day-visitors', (rows) =>
    builtStatement(db.insert(siteDayVisitors).ignore().values(placeholderRows(rows, DAY_VISITOR_COLUMNS)).toSQL()),
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

  return {
    async recordPageViews(batch) {
      if (batch.length === 0) return;
      const shard = Math.min(COUNTER_SHARDS - 1, Math.floor(random() * COUNTER_SHARDS));
      const groups = rollupGroups(batch);
      const eventValues = rowValues(batch, EVENT_COLUMNS);
      for (let attempt = 1; ; attempt++) {
        try {
          await inTransaction(handle, async (connection) => {
            await runStatement(connection, insertEvents(batch.length), eventValues);
            // In lock order (site, bucket). A visitor already seen that day is not inserted
            // again, and affectedRows counts only the new ones: a visitor counts once per day
            // however many transactions see them at once (the second waits for the first's lock).
            for (const group of groups) {
              const hashes = [...group.visitorHashes].sort();
              const rows = hashes.map((visitorHash) => ({ siteId: group.siteId, day: group.day, visitorHash }));
              const visitors =
                rows.length === 0
                  ? 0
                  : await runWrite(connection, insertDayVisitors(rows.length), rowValues(rows, DAY_VISITOR_COLUMNS));
              await runStatement(connection, addToCounters, {
                siteId: group.siteId,
                bucketStart: group.bucketStart,
                shard,
                pageviews: group.pageviews,
                visitors,
              });
            }
          });
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

interface RollupGroup {
  siteId: number;
  bucketStart: Date;
  day: string;
  pageviews: number;
  visitorHashes: Set<string>;
}

/** People's page views per site and quarter hour, in the order every transaction locks them. */
function rollupGroups(batch: readonly PageView[]): RollupGroup[] {
  const groups = new Map<string, RollupGroup>();
  for (const view of batch) {
    if (view.isBot) continue;
    const bucketStart = bucketOf(view.occurredAt);
    const key = `${view.siteId} ${bucketStart.getTime()}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        siteId: view.siteId,
        bucketStart,
        day: bucketStart.toISOString().slice(0, 10),
        pageviews: 0,
        visitorHashes: new Set(),
      };
      groups.set(key, group);
    }
    group.pageviews += 1;
    group.visitorHashes.add(view.visitorHash);
  }
  return [...groups.values()].sort((a, b) => a.siteId - b.siteId || a.bucketStart.getTime() - b.bucketStart.getTime());
}

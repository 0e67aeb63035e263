import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  datetime,
  index,
  int,
  mysqlTable,
  mysqlView,
  primaryKey,
  tinyint,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { PATH_MAX_LENGTH, REFERRER_HOST_MAX_LENGTH, UTM_MAX_LENGTH } from '../src/domain/page-view';
import {
  SITE_DOMAIN_MAX_LENGTH,
  SITE_NAME_MAX_LENGTH,
  SITE_VALUE_MAX_LENGTH,
  TIME_ZONE_MAX_LENGTH,
  VISITOR_HASH_LENGTH,
} from '../src/domain/site';
import { REQUEST_ID_MAX_LENGTH, SERVER_ID_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../src/domain/visit';

/**
 * Each counter is split over this many rows, chosen at random per visit, so that
 * concurrent visits on one server rarely wait for the same row lock.
 */
export const COUNTER_SHARDS = 8;

// All timestamps are UTC. DATETIME (not TIMESTAMP) so the session time zone never
// shifts them and the range is not capped at 2038.

/** One row per visit: the raw log behind /api/visits and the dashboard's latest list. */
export const visits = mysqlTable(
  'visits',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    // 45 characters fit any textual IPv6 address, including IPv4-mapped ones.
    ipAddress: varchar('ip_address', { length: 45 }).notNull(),
    userAgent: varchar('user_agent', { length: USER_AGENT_MAX_LENGTH }).notNull().default(''),
    serverId: varchar('server_id', { length: SERVER_ID_MAX_LENGTH }).notNull(),
    visitedAt: datetime('visited_at', { mode: 'date', fsp: 3 }).notNull(),
    // The request's X-Request-Id. A proxy that replays a request after a connection error
    // sends the same id, and the unique index turns the replay into a no-op.
    requestId: varchar('request_id', { length: REQUEST_ID_MAX_LENGTH }),
    // Crawler, script, monitor or health checker (src/domain/bot-detection.ts), decided on write.
    isBot: boolean('is_bot').notNull().default(false),
  },
  (table) => [
    uniqueIndex('visits_request_id').on(table.requestId),
    // Newest-first keyset pagination and the latest-visits list.
    index('visits_visited_at_id').on(table.visitedAt, table.id),
    // The same, filtered by server.
    index('visits_server_visited_at_id').on(table.serverId, table.visitedAt, table.id),
  ],
);

/**
 * The bucket_start of the all-time rows in visit_counters: the smallest DATETIME MySQL
 * supports, so it sorts before every real bucket and never falls inside a day's range.
 */
export const ALL_TIME_BUCKET = new Date('1000-01-01T00:00:00.000Z');

/**
 * Requests per quarter-hour bucket and server, sharded; feeds hourly figures for any time
 * zone. The rows whose bucket_start is ALL_TIME_BUCKET hold each server's all-time count,
 * so one multi-row upsert keeps both up to date and one range read returns both.
 */
export const visitCounters = mysqlTable(
  'visit_counters',
  {
    bucketStart: datetime('bucket_start', { mode: 'date' }).notNull(),
    serverId: varchar('server_id', { length: SERVER_ID_MAX_LENGTH }).notNull(),
    shard: tinyint('shard', { unsigned: true }).notNull(),
    requests: bigint('requests', { mode: 'number', unsigned: true }).notNull().default(0),
    // Of those requests, the ones from bots: humans are requests - bot_requests. A column rather
    // than a key part, so the reads touch the same rows as before and the migration is instant.
    botRequests: bigint('bot_requests', { mode: 'number', unsigned: true }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.bucketStart, table.serverId, table.shard] })],
);

/**
 * Which addresses visited in each quarter-hour bucket, one row per visitor, server and bucket
 * however often they came: unique visitors of any local day are counted from here, at a
 * cost bounded by the day's distinct visitors rather than by its visits.
 */
export const bucketVisitors = mysqlTable(
  'bucket_visitors',
  {
    bucketStart: datetime('bucket_start', { mode: 'date' }).notNull(),
    serverId: varchar('server_id', { length: SERVER_ID_MAX_LENGTH }).notNull(),
    ipAddress: varchar('ip_address', { length: 45 }).notNull(),
    // True while every visit from this address in the bucket was a bot; the first human visit
    // clears it. Human unique visitors are the addresses with at least one such row cleared.
    isBot: boolean('is_bot').notNull().default(false),
  },
  (table) => [primaryKey({ columns: [table.bucketStart, table.serverId, table.ipAddress] })],
);

/**
 * Per UTC day and server: requests and distinct visitors, for reporting by hand
 * (`SELECT * FROM visit_stats ORDER BY day DESC`). Built on the summary tables rather
 * than on `visits`, so it stays cheap as visits grow.
 */
export const visitStats = mysqlView('visit_stats', {
  day: date('day', { mode: 'string' }).notNull(),
  serverId: varchar('server_id', { length: SERVER_ID_MAX_LENGTH }).notNull(),
  requests: bigint('requests', { mode: 'number' }).notNull(),
  uniqueVisitors: bigint('unique_visitors', { mode: 'number' }).notNull(),
}).as(sql`
  SELECT r.day, r.server_id, r.requests, COALESCE(u.unique_visitors, 0) AS unique_visitors
  FROM (
    SELECT DATE(bucket_start) AS day, server_id, SUM(requests) AS requests
    FROM visit_counters WHERE bucket_start > '1000-01-01' GROUP BY DATE(bucket_start), server_id
  ) AS r
  LEFT JOIN (
    SELECT DATE(bucket_start) AS day, server_id, COUNT(DISTINCT ip_address) AS unique_visitors
    FROM bucket_visitors GROUP BY DATE(bucket_start), server_id
  ) AS u ON u.day = r.day AND u.server_id = r.server_id
`);

/**
 * The sites whose page views this service records (`npm run site -- add example.com`): events
 * for a domain that is not here are refused. `domain` is canonical (src/domain/site.ts).
 */
export const sites = mysqlTable(
  'sites',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    domain: varchar('domain', { length: SITE_DOMAIN_MAX_LENGTH }).notNull(),
    name: varchar('name', { length: SITE_NAME_MAX_LENGTH }).notNull(),
    // Its dashboard and figures are readable without credentials.
    isPublic: boolean('is_public').notNull().default(false),
    // IANA name: its days are the days of its figures (site_day_values) and of "a visitor".
    timeZone: varchar('time_zone', { length: TIME_ZONE_MAX_LENGTH }).notNull().default('UTC'),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (table) => [uniqueIndex('sites_domain').on(table.domain)],
);

/**
 * One row per page view of a tracked site (POST /api/event, GET /pixel.gif): the raw log the
 * rollups are kept from. Never a raw address: a visitor is a keyed hash that changes daily.
 */
export const siteEvents = mysqlTable(
  'site_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    siteId: int('site_id', { unsigned: true }).notNull(),
    occurredAt: datetime('occurred_at', { mode: 'date', fsp: 3 }).notNull(),
    path: varchar('path', { length: PATH_MAX_LENGTH }).notNull(),
    referrerHost: varchar('referrer_host', { length: REFERRER_HOST_MAX_LENGTH }),
    utmSource: varchar('utm_source', { length: UTM_MAX_LENGTH }),
    utmMedium: varchar('utm_medium', { length: UTM_MAX_LENGTH }),
    utmCampaign: varchar('utm_campaign', { length: UTM_MAX_LENGTH }),
    browser: varchar('browser', { length: 32 }).notNull(),
    os: varchar('os', { length: 32 }).notNull(),
    device: varchar('device', { length: 8 }).notNull(),
    // ISO 3166-1 alpha-2, where the runtime tells it.
    country: varchar('country', { length: 2 }),
    visitorHash: varchar('visitor_hash', { length: VISITOR_HASH_LENGTH }).notNull(),
    // Stored, flagged, and left out of every figure.
    isBot: boolean('is_bot').notNull().default(false),
  },
  (table) => [
    // A site's events by time: the purge, and reading a range of raw events.
    index('site_events_site_occurred_at_id').on(table.siteId, table.occurredAt, table.id),
  ],
);

/** Page views and visitors per site and quarter hour, sharded like visit_counters; people only. */
export const siteCounters = mysqlTable(
  'site_counters',
  {
    siteId: int('site_id', { unsigned: true }).notNull(),
    bucketStart: datetime('bucket_start', { mode: 'date' }).notNull(),
    shard: tinyint('shard', { unsigned: true }).notNull(),
    pageviews: bigint('pageviews', { mode: 'number', unsigned: true }).notNull().default(0),
    // Visitors first seen that (UTC) day in this quarter hour: their sum over any range is the
    // range's visitors, one per visitor and day (the hash key rotates daily).
    visitors: bigint('visitors', { mode: 'number', unsigned: true }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.bucketStart, table.shard] })],
);

/**
 * A dimension's value, compared byte for byte: MySQL's and MariaDB's default collations fold
 * case (and accents), which would make /Pricing and /pricing one page. utf8mb4_bin exists on both.
 */
const exactText = customType<{ data: string; config: { length: number } }>({
  dataType: (config) => `varchar(${config?.length ?? 255}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
});

/**
 * Page views and visitors per site, dimension, day of the site and value: what the top lists,
 * the daily series and the CSV export read, so their cost is the distinct values in a range,
 * never the events. Dimension 0 (value '') is the site as a whole; the codes are in
 * src/domain/site-dimensions.ts. Visitors are those first seen with the value that day, so a
 * range's figure counts each visitor once per day.
 */
export const siteDayValues = mysqlTable(
  'site_day_values',
  {
    siteId: int('site_id', { unsigned: true }).notNull(),
    dimension: tinyint('dimension', { unsigned: true }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    value: exactText('value', { length: SITE_VALUE_MAX_LENGTH }).notNull(),
    pageviews: bigint('pageviews', { mode: 'number', unsigned: true }).notNull().default(0),
    visitors: bigint('visitors', { mode: 'number', unsigned: true }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.dimension, table.day, table.value] })],
);

/**
 * Which visitors a site has seen on each of its days (dimension 0, value ''), and with which
 * page, referrer or campaign value: what makes the visitor figures exact (browser, OS, device
 * and country follow from the visitor, so a visitor new for the day is new for those). `batch`
 * is a random number per transaction: the rows carrying it are the ones that transaction
 * inserted, which tells it which visitors are new for which value.
 */
export const siteVisitorValues = mysqlTable(
  'site_visitor_values',
  {
    siteId: int('site_id', { unsigned: true }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    visitorHash: varchar('visitor_hash', { length: VISITOR_HASH_LENGTH }).notNull(),
    dimension: tinyint('dimension', { unsigned: true }).notNull(),
    value: exactText('value', { length: SITE_VALUE_MAX_LENGTH }).notNull(),
    batch: bigint('batch', { mode: 'number', unsigned: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.siteId, table.day, table.visitorHash, table.dimension, table.value] })],
);

/**
 * The key of each UTC day's visitor hashes: random, made by the first event of the day, shared by
 * every replica and the Worker. Once a day's key is deleted (npm run db:purge), nobody can tell
 * whether two hashes of that day came from a given address.
 */
export const visitorKeys = mysqlTable('visitor_keys', {
  day: date('day', { mode: 'string' }).primaryKey(),
  secret: varchar('secret', { length: 64 }).notNull(),
});

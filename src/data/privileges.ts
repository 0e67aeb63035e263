import { getTableName, getViewName } from 'drizzle-orm';
import {
  bucketVisitors,
  siteCounters,
  siteDayValues,
  siteEvents,
  sites,
  siteVisitorValues,
  visitCounters,
  visitorKeys,
  visitStats,
  visits,
} from '../../db/schema';

/** A table-level privilege the service's database user may hold. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * Exactly what the statements of the request paths (visit-writes.ts, visit-reads.ts,
 * counter-reads.ts, site-events.ts, sites.ts) need, table by table, and nothing more: no DDL, no
 * DELETE of anything recorded (only of a site's registration), no UPDATE of a visit once written, no access to the migration history. The service's database user is granted
 * these after each migration (`db:migrate --grant-to`, run by compose.yml's migrate service). The
 * Worker's contract suites (test/support/runtimes.ts) serve every route as a user holding only
 * these; test/dev/image-processes.test.ts checks that Compose's app user is refused anything else.
 */
export const APP_PRIVILEGES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  // The visit write inserts; listVisits reads.
  [getTableName(visits)]: ['SELECT', 'INSERT'],
  // The visit write's INSERT … ON DUPLICATE KEY UPDATE requests = requests + 1 (the SET reads the
  // column too); requestCounts reads.
  [getTableName(visitCounters)]: ['SELECT', 'INSERT', 'UPDATE'],
  // The visit write's INSERT IGNORE for a bot, INSERT … ON DUPLICATE KEY UPDATE is_bot = false for
  // a human (its first visit in the bucket clears the flag); uniqueVisitors reads. Never DELETE:
  // the purge (npm run db:purge) runs as the migration user.
  [getTableName(bucketVisitors)]: ['SELECT', 'INSERT', 'UPDATE'],
  // Ingestion checks an event's site; the admin API (POST and DELETE /api/sites) registers and
  // unregisters one. Deleting a removed site's data is the purge's (npm run db:purge, as the
  // migration user): the service can stop recording a site, never erase what it recorded.
  [getTableName(sites)]: ['SELECT', 'INSERT', 'DELETE'],
  // The page-view write (src/data/site-events.ts) inserts events; the live figure reads the last
  // five minutes of them (by the site-and-time index).
  [getTableName(siteEvents)]: ['SELECT', 'INSERT'],
  // INSERT … ON DUPLICATE KEY UPDATE pageviews = pageviews + n (the SET reads the columns); the
  // figures read.
  [getTableName(siteCounters)]: ['SELECT', 'INSERT', 'UPDATE'],
  // INSERT IGNORE (a visitor already seen with a value that day is skipped), then the rows the
  // transaction inserted read back by its batch mark.
  [getTableName(siteVisitorValues)]: ['SELECT', 'INSERT'],
  // INSERT … ON DUPLICATE KEY UPDATE pageviews = pageviews + VALUES(pageviews); the figures read.
  [getTableName(siteDayValues)]: ['SELECT', 'INSERT', 'UPDATE'],
  // INSERT IGNORE of a candidate key, then the day's key read back.
  [getTableName(visitorKeys)]: ['SELECT', 'INSERT'],
  // No request reads the view; reporting by hand with the service's read credentials does.
  [getViewName(visitStats)]: ['SELECT'],
};

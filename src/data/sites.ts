import { asc, eq } from 'drizzle-orm';
import { siteCounters, siteDayValues, siteEvents, sites, siteVisitorValues } from '../../db/schema';
import type { NewSite, Site } from '../domain/site';
import { type Database, driverErrorCode } from './database';
import { deleteInBatches } from './retention';

/**
 * The sites table's statements. Ingestion and the figures read it; administration registers and
 * removes sites: `npm run site` as the migration user, which also deletes a removed site's data,
 * and the admin API as the service's user, which may only unregister it (the next
 * `npm run db:purge` deletes the data of sites no longer registered).
 */

const siteColumns = {
  id: sites.id,
  domain: sites.domain,
  name: sites.name,
  isPublic: sites.isPublic,
  timeZone: sites.timeZone,
  createdAt: sites.createdAt,
};

/** The most sites a list holds: administration adds them one by one, so this is far off. */
export const MAX_SITES_LISTED = 200;

/**
 * The first MAX_SITES_LISTED sites registered, by domain. Read in primary-key order, which the
 * LIMIT cuts short; in domain order the server would sort the whole table first.
 */
export async function listSites(db: Database): Promise<Site[]> {
  const rows = await db.select(siteColumns).from(sites).orderBy(asc(sites.id)).limit(MAX_SITES_LISTED);
  return rows.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
}

/** The site with this canonical domain, by its unique index. */
export async function findSite(db: Database, domain: string): Promise<Site | undefined> {
  const [site] = await db.select(siteColumns).from(sites).where(eq(sites.domain, domain)).limit(1);
  return site;
}

export type AddSiteOutcome = { kind: 'added'; site: Site } | { kind: 'exists'; site: Site };

/** Registers a site; a domain already registered is left as it is and reported. */
export async function addSite(db: Database, site: NewSite, now: Date): Promise<AddSiteOutcome> {
  try {
    await db.insert(sites).values({ ...site, createdAt: now });
  } catch (error) {
    if (driverErrorCode(error) !== 'ER_DUP_ENTRY') throw error;
    const existing = await findSite(db, site.domain);
    if (existing !== undefined) return { kind: 'exists', site: existing };
    throw error;
  }
  const added = await findSite(db, site.domain);
  if (added === undefined) throw new Error(`site ${site.domain} was inserted but cannot be read back`);
  return { kind: 'added', site: added };
}

/** Rows of a removed site's data deleted per statement: short transactions beside live traffic. */
export const REMOVE_BATCH_SIZE = 5_000;

/**
 * Removes the site's row only: from then on its page views are refused and its figures are
 * nowhere to be read. Its recorded data stays until deleteSiteData runs for its id.
 */
export async function unregisterSite(db: Database, domain: string): Promise<Site | undefined> {
  const site = await findSite(db, domain);
  if (site === undefined) return undefined;
  const [result] = await db.delete(sites).where(eq(sites.id, site.id));
  // Another administrator may have removed it in between: then it is theirs to report.
  return result.affectedRows === 1 ? site : undefined;
}

/** The site ids that have data but no row in sites: sites unregistered through the admin API. */
export async function unregisteredSiteIds(db: Database): Promise<number[]> {
  // DISTINCT on the leading column of a primary key or index is a loose index scan on MySQL and
  // MariaDB alike: one probe per site, not a read of the rows.
  const withData = new Set<number>();
  for (const column of [siteEvents.siteId, siteCounters.siteId, siteDayValues.siteId, siteVisitorValues.siteId]) {
    for (const row of await db.selectDistinct({ id: column }).from(column.table)) withData.add(row.id);
  }
  const registered = new Set((await db.select({ id: sites.id }).from(sites)).map((row) => row.id));
  return [...withData].filter((id) => !registered.has(id)).sort((a, b) => a - b);
}

/**
 * Deletes everything recorded for a site id, table by table, along the primary key or index
 * that starts with site_id, at most `batchSize` rows per statement, each its own transaction.
 */
export async function deleteSiteData(
  db: Database,
  siteId: number,
  onBatch: (table: string, deleted: number) => void = () => {},
  batchSize = REMOVE_BATCH_SIZE,
): Promise<void> {
  const tables = [
    { table: siteEvents, name: 'site_events', order: [siteEvents.occurredAt, siteEvents.id], siteId: siteEvents.siteId },
    { table: siteCounters, name: 'site_counters', order: [siteCounters.bucketStart], siteId: siteCounters.siteId },
    {
      table: siteDayValues,
      name: 'site_day_values',
      order: [siteDayValues.dimension, siteDayValues.day],
      siteId: siteDayValues.siteId,
    },
    { table: siteVisitorValues, name: 'site_visitor_values', order: [siteVisitorValues.day], siteId: siteVisitorValues.siteId },
  ];
  for (const { table, name, order, siteId: siteIdColumn } of tables) {
    await deleteInBatches(
      batchSize,
      (batch) => onBatch(batch.table, batch.deleted),
      name,
      async () => {
        const [result] = await db
          .delete(table)
          .where(eq(siteIdColumn, siteId))
          .orderBy(...order.map((column) => asc(column)))
          .limit(batchSize);
        return { picked: result.affectedRows, deleted: result.affectedRows };
      },
    );
  }
}

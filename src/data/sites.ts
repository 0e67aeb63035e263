import { asc, eq } from 'drizzle-orm';
import { sites } from '../../db/schema';
import type { NewSite, Site } from '../domain/site';
import { type Database, driverErrorCode } from './database';

/**
 * The sites table's statements. Registering and removing sites is administration
 * (`npm run site`, run as the migration user); the request paths only read.
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

/** Removes a site's row; false when there was none. */
export async function removeSite(db: Database, domain: string): Promise<boolean> {
  const [result] = await db.delete(sites).where(eq(sites.domain, domain));
  return result.affectedRows > 0;
}

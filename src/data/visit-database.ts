import type { NewSite, Site } from '../domain/site';
import { type CounterReads, createCounterReads } from './counter-reads';
import { checkDatabase, type DatabaseHandle, type DatabaseStatus } from './database';
import { createSiteEventWriter, type SiteEventWriter } from './site-events';
import { createSiteReads, type SiteReads } from './site-reads';
import { type AddSiteOutcome, addSite, findSite, unregisterSite } from './sites';
import { createVisitReads, type VisitReads } from './visit-reads';
import { createVisitWriter, type VisitWriter } from './visit-writes';

/**
 * Every statement the service runs on a request path, bound to one database handle: the Node
 * pool (and one per read replica), or the Worker's connection of a request. It owns what
 * belongs to that handle, its prepared queries and the visitors it has written, so nothing is
 * remembered in module-level state. The visit store and the site tracker (src/services) are its
 * only users on a request path.
 */
export interface VisitDatabase extends VisitWriter, VisitReads, CounterReads, SiteEventWriter, SiteReads {
  /** `SELECT 1` within timeoutMs (src/data/database.ts, checkDatabase). */
  check(timeoutMs: number): Promise<DatabaseStatus>;
  /** The registered site with this canonical domain (src/data/sites.ts). */
  findSite(domain: string): Promise<Site | undefined>;
  /** Registers a site, or reports the one of that domain (the admin API). */
  addSite(site: NewSite, now: Date): Promise<AddSiteOutcome>;
  /** Removes a site's registration, not its data: the removed site, or undefined if there was none. */
  unregisterSite(domain: string): Promise<Site | undefined>;
}

export function createVisitDatabase(handle: DatabaseHandle): VisitDatabase {
  return {
    ...createVisitWriter(handle),
    ...createVisitReads(handle),
    ...createCounterReads(handle),
    ...createSiteEventWriter(handle),
    ...createSiteReads(handle),
    findSite: (domain) => findSite(handle.db, domain),
    addSite: (site, now) => addSite(handle.db, site, now),
    unregisterSite: (domain) => unregisterSite(handle.db, domain),
    check: (timeoutMs) => (handle.probe ? handle.probe(timeoutMs) : checkDatabase(handle.driver, timeoutMs)),
  };
}

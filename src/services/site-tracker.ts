import type { AddSiteOutcome } from '../data/sites';
import type { VisitDatabase } from '../data/visit-database';
import { isBotUserAgent } from '../domain/bot-detection';
import { setBounded } from '../domain/bounded-map';
import { type KeyedHash, type KeyedHashing, toHex, webCryptoHashing } from '../domain/keyed-hash';
import type { PageView, PageViewSource } from '../domain/page-view';
import { createRecentMap } from '../domain/recent-map';
import { type NewSite, originMatchesSite, type Site, VISITOR_HASH_LENGTH } from '../domain/site';
import { todayIn } from '../domain/time';
import { summarizeUserAgent } from '../domain/user-agent';
import { createFreshReads, UNSHARED } from './fresh-reads';
import { createVisitBatcher } from './visit-batcher';

/**
 * Page views of the tracked sites: which site an event or a preflight belongs to, and recording
 * it with its rollups. A visitor is a keyed hash of the site, the client address and the user
 * agent, with a key made at random for each calendar day and shared through the database, so one
 * visitor is one visitor all day on every replica, cannot be followed from one day to the next,
 * and no address is stored.
 */
export interface SiteTracker {
  /** The registered site with this canonical domain. */
  findSite(domain: string): Promise<Site | undefined>;
  /** The registered site an Origin header belongs to (a preflight names no site), if any. */
  siteOfOrigin(origin: string): Promise<Site | undefined>;
  /** Resolves once the page view is committed with its rollups. */
  recordPageView(view: IncomingPageView): Promise<void>;
  /** Registers a site (the admin API); a domain already registered is reported, not changed. */
  register(site: NewSite, now: Date): Promise<AddSiteOutcome>;
  /**
   * Stops tracking a site: its page views are refused and its figures unreadable from now on.
   * Its recorded data stays until `npm run db:purge` deletes it (the service may not delete data).
   */
  unregister(domain: string): Promise<Site | undefined>;
}

export interface IncomingPageView {
  site: Site;
  source: PageViewSource;
  clientAddress: string;
  userAgent: string;
  country: string | null;
  at: Date;
  /** When its request is answered 503 if not done (epoch ms): a page view still waiting then is not written. */
  deadline?: number | undefined;
}

export interface SiteTrackerOptions {
  primary: () => VisitDatabase;
  /** Node: page views share transactions (the batcher). The Worker writes each on its own. */
  sharedIo: boolean;
  /** Default WebCrypto; Node passes its synchronous HMAC (src/domain/keyed-hash.ts says why). */
  hashing?: KeyedHashing;
  /** Epoch ms, for how long a site found stays found. */
  now?: () => number;
}

/**
 * How long a registered site, once found, is taken as registered without asking the database
 * again. Every page view names its site, and its lookup was one of six round trips per batch of
 * page views on Node, and per page view on the Worker. Removing a site through this process
 * takes effect at once; through another replica, the Worker's other isolates or `npm run site`,
 * within this time (page views it accepts meanwhile are data of an unregistered site, which
 * `npm run db:purge` deletes). A site not found is never remembered: one just registered is
 * seen at once.
 */
export const SITE_FOUND_TTL_MS = 1_000;
/** Sites remembered at most: far more than one deployment tracks. */
const SITES_REMEMBERED = 1_000;

export function createSiteTracker(options: SiteTrackerOptions): SiteTracker {
  const { primary } = options;
  const nowMs = options.now ?? Date.now;
  const keys = createDailyKeys(primary, options.hashing ?? webCryptoHashing);
  // Lookups the cache cannot answer: concurrent ones of a domain share a read that started
  // after each, so a site just registered is seen at once.
  const lookups = options.sharedIo ? createFreshReads() : UNSHARED;
  const found = createRecentMap<{ site: Site; until: number }>(SITES_REMEMBERED);
  // Bumped once each removal has run: a lookup that was under way meanwhile may have read the
  // removed site, and its answer is not remembered (one that ended before is dropped with it).
  let removals = 0;
  const findSite = async (domain: string): Promise<Site | undefined> => {
    const asked = nowMs();
    const known = found.get(domain);
    if (known !== undefined && known.until > asked) return known.site;
    const removalsBefore = removals;
    const site = await lookups.read(`site:${domain}`, () => primary().findSite(domain));
    if (site !== undefined && removals === removalsBefore) found.set(domain, { site, until: asked + SITE_FOUND_TTL_MS });
    return site;
  };
  const writer = options.sharedIo
    ? createVisitBatcher<PageView, void>((batch) =>
        primary()
          .recordPageViews(batch)
          .then(() => batch.map(() => undefined)),
      )
    : { record: (view: PageView, _deadline?: number) => primary().recordPageViews([view]) };

  return {
    findSite,
    register: (site, now) => primary().addSite(site, now),
    async unregister(domain) {
      try {
        return await primary().unregisterSite(domain);
      } finally {
        removals += 1;
        found.delete(domain);
      }
    },

    async siteOfOrigin(origin) {
      let host: string;
      try {
        host = new URL(origin).host;
      } catch {
        return undefined;
      }
      const domain = host.startsWith('www.') ? host.slice(4) : host;
      const site = await findSite(domain);
      return site !== undefined && originMatchesSite(origin, site.domain) ? site : undefined;
    },

    async recordPageView(view) {
      const agent = summarizeUserAgent(view.userAgent);
      const day = todayIn(view.site.timeZone, view.at);
      const visitorHash = await keys.visitorHash(day, `${view.site.id}\n${view.clientAddress}\n${view.userAgent}`);
      await writer.record(
        {
          ...view.source,
          siteId: view.site.id,
          occurredAt: view.at,
          day,
          browser: agent.browser,
          os: agent.os,
          device: agent.device,
          country: view.country,
          visitorHash,
          isBot: isBotUserAgent(view.userAgent),
        },
        view.deadline,
      );
    },
  };
}

/**
 * The HMAC key of a calendar date, fetched (or made) by the first page view of that date in
 * this process and kept once it is known. A page view takes the key of its site's day (in the
 * site's time zone), so a visitor is one visitor for the whole of the site's day; sites in other
 * zones use the same date's key hours earlier or later, so a key must outlive every zone's day
 * of it. Only keys are kept, never a pending fetch: on the Worker a request may not wait on
 * another request's I/O. Page views that race at the start of a day each fetch, and all read
 * back the one secret the first of them stored.
 */
const KEPT_DAYS = 3;

function createDailyKeys(primary: () => VisitDatabase, hashing: KeyedHashing) {
  // Sites in zones far apart are on two dates at once; a third is a day that has ended.
  const known = new Map<string, KeyedHash>();
  const hashOf = async (day: string): Promise<KeyedHash> => {
    const cached = known.get(day);
    if (cached !== undefined) return cached;
    const candidate = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const hash = await hashing(await primary().visitorKey(day, candidate));
    setBounded(known, day, hash, KEPT_DAYS);
    return hash;
  };
  return {
    async visitorHash(day: string, message: string): Promise<string> {
      const hash = await hashOf(day);
      return (await hash(message)).slice(0, VISITOR_HASH_LENGTH);
    },
  };
}

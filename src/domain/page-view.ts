/**
 * What a page view's URL and referrer say, reduced to the values the figures are rolled up by:
 * the path without its query string, the UTM campaign parameters kept apart, and the referring
 * host (the site itself is not a referrer). Pure: the event route validates the body's shape
 * first, this decides what is kept.
 */

export const PATH_MAX_LENGTH = 512;
export const UTM_MAX_LENGTH = 128;
export const REFERRER_HOST_MAX_LENGTH = 253;

export interface PageViewSource {
  path: string;
  /** Host of the referring page, lower case without `www.`; null for a direct visit or the site itself. */
  referrerHost: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
}

export type PageViewCheck = { ok: true; view: PageViewSource } | { ok: false; field: 'url'; message: string };

const withoutWww = (host: string): string => (host.startsWith('www.') ? host.slice(4) : host);

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A UTM value as people meant it: trimmed, empty as none, cut at a character boundary. */
function utmValue(params: URLSearchParams, name: string): string | null {
  const value = params.get(name)?.trim() ?? '';
  return value === '' ? null : Array.from(value).slice(0, UTM_MAX_LENGTH).join('');
}

/**
 * `siteDomain` is the site's canonical domain (src/domain/site.ts); a referrer on it, with or
 * without `www.` and on any port, is the site's own navigation, not a source.
 */
export function pageViewSource(input: { url: string; referrer?: string | null | undefined }, siteDomain: string): PageViewCheck {
  const url = httpUrl(input.url);
  if (url === undefined) {
    return {
      ok: false,
      field: 'url',
      message: 'expected the absolute http(s) URL of the page, e.g. https://example.com/pricing',
    };
  }
  const path = url.pathname.length > PATH_MAX_LENGTH ? url.pathname.slice(0, PATH_MAX_LENGTH) : url.pathname;
  const referrer = input.referrer ? httpUrl(input.referrer) : undefined;
  const siteHost = siteDomain.split(':')[0] ?? siteDomain;
  const referrerHost = referrer === undefined ? null : withoutWww(referrer.hostname);
  return {
    ok: true,
    view: {
      path,
      referrerHost:
        referrerHost === null ||
        referrerHost === '' ||
        referrerHost === siteHost ||
        referrerHost.length > REFERRER_HOST_MAX_LENGTH
          ? null
          : referrerHost,
      utmSource: utmValue(url.searchParams, 'utm_source'),
      utmMedium: utmValue(url.searchParams, 'utm_medium'),
      utmCampaign: utmValue(url.searchParams, 'utm_campaign'),
    },
  };
}

/** A page view as it is stored (site_events), and rolled up when not a bot's. */
export interface PageView extends PageViewSource {
  siteId: number;
  occurredAt: Date;
  /** The day of the view in the site's time zone (YYYY-MM-DD): the day its figures count it on. */
  day: string;
  browser: string;
  os: string;
  device: string;
  /** ISO 3166-1 alpha-2, where the runtime tells it; else null. */
  country: string | null;
  /** The visitor's keyed hash of the day (never the address). */
  visitorHash: string;
  isBot: boolean;
}

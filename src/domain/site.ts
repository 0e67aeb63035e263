/**
 * A site whose visits this service tracks, named by its domain; the table is in db/schema.ts.
 * The domain is the host people type (`example.com`), with a port only where the site is served
 * on one (`localhost:5173` on a workstation). Its page views arrive from `http(s)://<domain>` and
 * `http(s)://www.<domain>`, which is all an origin needs to match (originMatchesSite).
 */

import { PATH_MAX_LENGTH } from './page-view';

/** The longest host name DNS allows (253) plus room for `:65535`. */
export const SITE_DOMAIN_MAX_LENGTH = 259;
export const SITE_NAME_MAX_LENGTH = 100;
/** The longest IANA time zone name is 32 characters; room to spare. */
export const TIME_ZONE_MAX_LENGTH = 64;
/** The longest value a dimension rolls up: a path. */
export const SITE_VALUE_MAX_LENGTH = PATH_MAX_LENGTH;
/** A visitor's daily hash, in hex: 64 bits, no collision to speak of among a site's visitors of a day. */
export const VISITOR_HASH_LENGTH = 16;

export interface Site {
  id: number;
  domain: string;
  name: string;
  /** Its dashboard and figures are readable by anyone. */
  isPublic: boolean;
  /** IANA name; the days of its figures, and of "a visitor", are its days. */
  timeZone: string;
  createdAt: Date;
}

export interface NewSite {
  domain: string;
  name: string;
  isPublic: boolean;
  timeZone: string;
}

export type DomainCheck = { ok: true; domain: string } | { ok: false; reason: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The canonical form of a site's domain: lower case, without a trailing dot, `www.` or a
 * default port. Refuses what is not a host (schemes, paths, spaces, IPv6 literals) with a reason
 * that says what to give instead.
 */
export function normalizeSiteDomain(input: string): DomainCheck {
  let value = input.trim().toLowerCase();
  if (value === '') return { ok: false, reason: 'is empty: give the host name, e.g. example.com' };
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value) || value.includes('/')) {
    return { ok: false, reason: `is a URL, not a domain: give only the host, e.g. ${hostOf(value) ?? 'example.com'}` };
  }
  if (value.length > SITE_DOMAIN_MAX_LENGTH) return { ok: false, reason: `is longer than ${SITE_DOMAIN_MAX_LENGTH} characters` };
  let port = '';
  const colon = value.lastIndexOf(':');
  if (colon !== -1) {
    port = value.slice(colon + 1);
    value = value.slice(0, colon);
    const number = Number(port);
    if (!/^\d{1,5}$/.test(port) || number < 1 || number > 65535) {
      return { ok: false, reason: `has a bad port "${port}": expected 1 to 65535, e.g. localhost:5173` };
    }
    port = number === 80 || number === 443 ? '' : `:${number}`;
  }
  if (value.endsWith('.')) value = value.slice(0, -1);
  if (value.startsWith('www.')) value = value.slice(4);
  if (!IPV4.test(value)) {
    const labels = value.split('.');
    if (value.length > 253 || labels.some((label) => !LABEL.test(label))) {
      return {
        ok: false,
        reason: 'is not a host name: letters, digits and hyphens in dot-separated labels, e.g. example.com',
      };
    }
    if (/^\d+$/.test(labels.at(-1) ?? '')) return { ok: false, reason: 'is not a host name or an IPv4 address' };
  }
  return { ok: true, domain: value + port };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an Origin header comes from the site: http or https, the domain or its `www.`
 * subdomain, and the domain's port (none: the scheme's default). Nothing else, no other
 * subdomain.
 */
export function originMatchesSite(origin: string, domain: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '')) return false;
  const host = url.host.startsWith('www.') ? url.host.slice(4) : url.host;
  return host === domain;
}

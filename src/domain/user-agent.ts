import Bowser from 'bowser';
import { memoizeRecent } from './recent-map';

/**
 * Browser, operating system and device class of a page view, from its User-Agent, with bowser
 * (maintained, MIT, no dependencies; ua-parser-js 2 is AGPL and its MIT line 1.x is in
 * maintenance). Only the names are kept, never versions: fewer distinct values to roll up, and
 * less that tells one visitor from another.
 */

export type DeviceClass = 'desktop' | 'mobile' | 'tablet' | 'tv' | 'unknown';

export interface UserAgentSummary {
  readonly browser: string;
  readonly os: string;
  readonly device: DeviceClass;
}

export const UNKNOWN = 'Unknown';
const DEVICE_CLASSES: ReadonlySet<string> = new Set(['desktop', 'mobile', 'tablet', 'tv']);
/** Longer names are not names: a crafted header should not become a long dimension value. */
const NAME_MAX_LENGTH = 32;

const nameOrUnknown = (name: string | undefined): string =>
  name === undefined || name === '' || name.length > NAME_MAX_LENGTH ? UNKNOWN : name;

/**
 * Parsing was a tenth of POST /api/event's CPU time, and visitors' user agents repeat: each of
 * the recent ones is parsed once. A browser's is 100 to 300 characters.
 */
export const USER_AGENTS_REMEMBERED = 1_000;
export const USER_AGENT_REMEMBERED_MAX_LENGTH = 512;

export const summarizeUserAgent: (userAgent: string) => UserAgentSummary = memoizeRecent(
  parseUserAgent,
  USER_AGENTS_REMEMBERED,
  USER_AGENT_REMEMBERED_MAX_LENGTH,
);

function parseUserAgent(userAgent: string): UserAgentSummary {
  // bowser refuses an empty string; a blank header says nothing either.
  if (userAgent.trim() === '') return { browser: UNKNOWN, os: UNKNOWN, device: 'unknown' };
  const parsed = Bowser.parse(userAgent);
  const type = parsed.platform.type;
  return {
    browser: nameOrUnknown(parsed.browser.name),
    os: nameOrUnknown(parsed.os.name),
    device: type !== undefined && DEVICE_CLASSES.has(type) ? (type as DeviceClass) : 'unknown',
  };
}

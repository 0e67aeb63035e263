import type { RateLimit } from './token-buckets';

/**
 * RATE_LIMIT as people write it: `120/min` or `5/s` (requests per client address, with a burst
 * of as many), or `off`. One setting for every tier: the app's own limit (Node and the Worker)
 * and the nginx zone that `npm run stack` and Compose's proxy render from it.
 */
export type RateLimitSetting = RateLimit | 'off';

const RATE = /^(\d{1,6})\/(s|sec|second|min|minute)$/;

/** The limit, or undefined when the text is neither a rate nor `off`. */
export function parseRateLimit(text: string): RateLimitSetting | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off') return 'off';
  const match = RATE.exec(value);
  if (match === null) return undefined;
  const count = Number(match[1]);
  if (count < 1) return undefined;
  const perMinute = match[2]?.startsWith('s') ? count * 60 : count;
  return { burst: count, perMinute };
}

/** The same limit in nginx's `limit_req_zone … rate=` syntax: `5/s` is `5r/s`, `120/min` is `120r/m`. */
export function nginxRate(limit: RateLimit): string {
  return limit.perMinute === limit.burst * 60 ? `${limit.burst}r/s` : `${limit.perMinute}r/m`;
}

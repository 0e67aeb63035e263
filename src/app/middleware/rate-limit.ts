import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimiter } from '../../services/rate-limiter';
import type { RateLimitedJson } from '../errors';
import { json } from '../respond';
import { messagePage } from '../unavailable';

/**
 * RATE_LIMIT on a recording route: a client address past its limit gets 429 with Retry-After
 * (a short page for GET /, JSON otherwise), and its request records nothing: this runs before
 * the route. HEAD and preflights record nothing anyway and are not counted.
 */
export function rateLimited(limiter: RateLimiter, clientAddress: (c: Context) => string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const wait = await limiter.admit(clientAddress(c));
    if (wait === 0) return next();
    const message = `Too many requests from your address: try again in ${wait} s.`;
    const response =
      c.req.path === '/'
        ? await messagePage(c, 429, 'Too many requests', [message])
        : json(c, { error: 'rate_limited', message } satisfies RateLimitedJson, 429);
    response.headers.set('retry-after', String(wait));
    return response;
  };
}

import type { RateLimit } from '../domain/token-buckets';
import { TokenBuckets } from '../domain/token-buckets';

/**
 * Whether a client (by address) may make one more request of a limited kind now: 0 when it
 * may, else the whole seconds until it may (for Retry-After).
 */
export interface RateLimiter {
  admit(key: string): Promise<number>;
}

/** In this process: a token bucket per address, bounded (src/domain/token-buckets.ts). */
export function memoryRateLimiter(limit: RateLimit, now: () => number = Date.now): RateLimiter {
  const buckets = new TokenBuckets(limit);
  return { admit: async (key) => buckets.take(key, now()) };
}

/** Cloudflare's rate-limiting binding (`ratelimits` in deploy/wrangler.jsonc), as the Worker sees it. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * Through Cloudflare's binding: counted per data centre across isolates, over the binding's own
 * period (60 s). A refused request is told to come back after that period.
 */
export function bindingRateLimiter(binding: RateLimitBinding, periodSeconds: number): RateLimiter {
  return { admit: async (key) => ((await binding.limit({ key })).success ? 0 : periodSeconds) };
}

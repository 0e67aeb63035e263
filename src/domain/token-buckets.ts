import { setBounded } from './bounded-map';

/** At most `burst` at once, and `perMinute` on average after that. */
export interface RateLimit {
  burst: number;
  perMinute: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per key (a client address), in memory. The map is bounded: past `maxKeys` the
 * least recently seen key is forgotten and starts again with a full bucket, so memory stays
 * fixed however many addresses arrive, at the price of letting a client that rotates through
 * more addresses than that start afresh.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = 10_000,
  ) {
    this.refillPerMs = limit.perMinute / 60_000;
  }

  /** Takes one token for `key`: 0 when there was one, else the whole seconds until there is. */
  take(key: string, nowMs: number): number {
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, updatedMs: nowMs };
    const elapsed = Math.max(0, nowMs - bucket.updatedMs);
    const tokens = Math.min(this.limit.burst, bucket.tokens + elapsed * this.refillPerMs);
    const allowed = tokens >= 1;
    setBounded(this.buckets, key, { tokens: allowed ? tokens - 1 : tokens, updatedMs: nowMs }, this.maxKeys);
    if (allowed) return 0;
    return Math.max(1, Math.ceil((1 - tokens) / this.refillPerMs / 1000));
  }
}

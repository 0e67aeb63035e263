import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/domain/token-buckets';

describe('TokenBuckets', () => {
  it('allows the burst, then one per refill interval, and says how long to wait', () => {
    const buckets = new TokenBuckets({ burst: 3, perMinute: 2 });
    expect([0, 0, 0].map(() => buckets.take('a', 0))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 0)).toBe(30);
    // Half a token back after 15 s: still 15 s to wait.
    expect(buckets.take('a', 15_000)).toBe(15);
    expect(buckets.take('a', 30_000)).toBe(0);
    expect(buckets.take('a', 30_000)).toBe(30);
    // Another key has its own bucket.
    expect(buckets.take('b', 30_000)).toBe(0);
  });

  it('never holds more than its burst, however long a key was idle', () => {
    const buckets = new TokenBuckets({ burst: 2, perMinute: 60 });
    const taken = Array.from({ length: 3 }, () => buckets.take('a', 3_600_000));
    expect(taken).toEqual([0, 0, 1]);
  });

  it('forgets the least recently seen key past its bound', () => {
    const buckets = new TokenBuckets({ burst: 1, perMinute: 1 }, 2);
    buckets.take('a', 0);
    buckets.take('b', 0);
    expect(buckets.take('a', 0)).toBeGreaterThan(0);
    // c pushes out b (a was seen since), so b starts again full; c, newer, is still held back.
    buckets.take('c', 0);
    expect(buckets.take('b', 0)).toBe(0);
    expect(buckets.take('c', 0)).toBeGreaterThan(0);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestCounts } from '../../src/data/counter-reads';
import { createDayCounter, type DayCounter } from '../../src/services/day-counter';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * src/services/day-counter.ts against the real counters: quarter hours that ended more than
 * `settleMs` ago are read once and kept; each read fetches only the rest of the day.
 */

const DAY = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z') };
const MINUTE = 60_000;
let database: TestDatabase;
let counter: DayCounter;

async function visitAt(iso: string): Promise<void> {
  await database.visits.recordVisits([
    {
      ipAddress: '198.51.100.7',
      userAgent: 'Mozilla/5.0 (day-counts test)',
      serverId: 'app-1',
      visitedAt: new Date(iso),
      requestId: randomUUID(),
      isBot: false,
    },
  ]);
}

/** Requests per bucket as an object, for readable comparisons. */
function buckets(counts: RequestCounts): Record<string, number> {
  return Object.fromEntries(
    [...counts.perBucket].map(([start, count]) => [new Date(start).toISOString().slice(11, 16), count.requests]),
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  counter = createDayCounter(MINUTE);
});

afterAll(async () => {
  await database?.drop();
});

describe('a day counter', () => {
  it('gives exactly the whole-day figures while the day goes on, with replicas a little behind', async () => {
    await visitAt('2026-11-20T10:01:00Z');
    await visitAt('2026-11-20T10:02:00Z');
    expect(buckets(await counter.read(database.visits, DAY, new Date('2026-11-20T10:15:10Z')))).toEqual({ '10:00': 2 });
    // Recorded by a replica whose clock is 30 s behind, into the quarter hour that ended 20 s
    // ago: inside the settle time, so it is still read.
    await visitAt('2026-11-20T10:14:50Z');
    await visitAt('2026-11-20T11:40:00Z');
    const now = new Date('2026-11-20T11:41:00Z');
    const kept = await counter.read(database.visits, DAY, now);
    const whole = await database.visits.requestCounts(DAY.start, DAY.end);
    expect(buckets(kept)).toEqual({ '10:00': 3, '11:30': 1 });
    expect(buckets(kept)).toEqual(buckets(whole));
    expect(kept.perServer).toEqual(whole.perServer);
  });

  it('does not read a settled quarter hour again, but reads the live one every time', async () => {
    // Arranged behind the service's back: through the service a settled bucket cannot change.
    await database.query(
      "UPDATE visit_counters SET requests = requests + 100 WHERE bucket_start = '2026-11-20 10:00:00' AND requests > 0 LIMIT 1",
    );
    await visitAt('2026-11-20T11:42:00Z');
    const kept = await counter.read(database.visits, DAY, new Date('2026-11-20T11:43:00Z'));
    expect(buckets(kept)).toEqual({ '10:00': 3, '11:30': 2 });
    expect(buckets(await database.visits.requestCounts(DAY.start, DAY.end))).toEqual({ '10:00': 103, '11:30': 2 });
    // The all-time rows are read every time too.
    expect(kept.perServer).toEqual([{ serverId: 'app-1', requests: 5, botRequests: 0 }]);
  });

  it('starts afresh when the clock goes back, and never keeps anything with settleMs 0', async () => {
    expect(buckets(await counter.read(database.visits, DAY, new Date('2026-11-20T10:10:00Z')))).toEqual({
      '10:00': 103,
      '11:30': 2,
    });
    const rereading = createDayCounter(0);
    expect(buckets(await rereading.read(database.visits, DAY, new Date('2026-11-20T23:59:00Z')))).toEqual({
      '10:00': 103,
      '11:30': 2,
    });
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVisitBatcher } from '../src/data/visit-batcher';
import { type NewVisit, recordVisit, recordVisits } from '../src/data/visits';
import { createTestDatabase, type TestDatabase } from './support/database';

/**
 * Visits written together (src/data/visit-batcher.ts, recordVisits): the counters must equal
 * the rows exactly, replays must still be told apart, and every promise must settle only after
 * its own transaction did.
 */

let database: TestDatabase;

function visit(overrides: Partial<NewVisit> = {}): NewVisit {
  return {
    ipAddress: '198.51.100.1',
    userAgent: 'Mozilla/5.0 (batch test)',
    serverId: 'app-1',
    visitedAt: new Date('2026-11-20T10:05:00Z'),
    requestId: randomUUID(),
    isBot: false,
    ...overrides,
  };
}

/** Counters against rows, per bucket and server, and the all-time rows against everything. */
async function countersMatchRows(): Promise<void> {
  const fromRows = await database.query<{ bucket: string; server_id: string; requests: number; bots: number }>(
    `SELECT DATE_FORMAT(TIMESTAMPADD(MINUTE, FLOOR(TIMESTAMPDIFF(MINUTE, '2000-01-01', visited_at) / 15) * 15, '2000-01-01'), '%Y-%m-%d %H:%i') AS bucket,
            server_id, COUNT(*) AS requests, SUM(is_bot) AS bots
     FROM visits GROUP BY bucket, server_id ORDER BY bucket, server_id`,
  );
  const fromCounters = await database.query<{ bucket: string; server_id: string; requests: number; bots: number }>(
    `SELECT DATE_FORMAT(bucket_start, '%Y-%m-%d %H:%i') AS bucket, server_id, SUM(requests) AS requests, SUM(bot_requests) AS bots
     FROM visit_counters WHERE bucket_start > '1000-01-01' GROUP BY bucket, server_id ORDER BY bucket, server_id`,
  );
  const normalise = (rows: { bucket: string; server_id: string; requests: number; bots: number }[]) =>
    rows.map((row) => ({ ...row, requests: Number(row.requests), bots: Number(row.bots) }));
  expect(normalise(fromCounters)).toEqual(normalise(fromRows));
  const [allTime] = await database.query<{ requests: number }>(
    "SELECT SUM(requests) AS requests FROM visit_counters WHERE bucket_start = '1000-01-01'",
  );
  const [rows] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
  expect(Number(allTime?.requests)).toBe(Number(rows?.n));
}

beforeAll(async () => {
  database = await createTestDatabase();
});

beforeEach(async () => {
  await database.query('DELETE FROM visits');
  await database.query('DELETE FROM visit_counters');
  await database.query('DELETE FROM bucket_visitors');
});

afterAll(async () => {
  await database?.drop();
});

describe('recordVisits', () => {
  it('writes a mixed batch with counters equal to the rows and one visitor row per address', async () => {
    const batch = [
      visit(),
      visit(), // the same address again
      visit({ ipAddress: '198.51.100.2', isBot: true, userAgent: 'Googlebot/2.1' }),
      visit({ ipAddress: '198.51.100.3', isBot: true, userAgent: 'curl/8.0' }),
      visit({ ipAddress: '198.51.100.3' }), // a person from an address a bot used: counted as a person
      visit({ visitedAt: new Date('2026-11-20T10:15:00Z') }), // the next quarter hour
      visit({ serverId: 'app-2', ipAddress: '2001:db8::1' }),
    ];
    expect(await recordVisits(database.db, batch)).toEqual(batch.map(() => 'recorded'));
    await countersMatchRows();
    const visitors = await database.query<{ bucket: string; server_id: string; ip_address: string; is_bot: number }>(
      "SELECT DATE_FORMAT(bucket_start, '%H:%i') AS bucket, server_id, ip_address, is_bot FROM bucket_visitors ORDER BY bucket, server_id, ip_address",
    );
    expect(visitors.map((row) => ({ ...row, is_bot: Number(row.is_bot) }))).toEqual([
      { bucket: '10:00', server_id: 'app-1', ip_address: '198.51.100.1', is_bot: 0 },
      { bucket: '10:00', server_id: 'app-1', ip_address: '198.51.100.2', is_bot: 1 },
      { bucket: '10:00', server_id: 'app-1', ip_address: '198.51.100.3', is_bot: 0 },
      { bucket: '10:00', server_id: 'app-2', ip_address: '2001:db8::1', is_bot: 0 },
      { bucket: '10:15', server_id: 'app-1', ip_address: '198.51.100.1', is_bot: 0 },
    ]);
  });

  it('tells replays apart within a batch and across batches, and counts each visit once', async () => {
    const first = visit({ requestId: 'proxy-replay-1' });
    await recordVisit(database.db, first);
    const again = visit({ requestId: 'proxy-replay-1' });
    const fresh = visit({ ipAddress: '198.51.100.9' });
    const twin = visit({ requestId: fresh.requestId });
    expect(await recordVisits(database.db, [again, fresh, twin, visit()])).toEqual([
      'duplicate',
      'recorded',
      'duplicate',
      'recorded',
    ]);
    const [rows] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(Number(rows?.n)).toBe(3);
    await countersMatchRows();
  });
});

describe('the visit batcher', () => {
  it('gathers concurrent visits into shared transactions, and every visit is written once', async () => {
    const sizes: number[] = [];
    const batcher = createVisitBatcher(
      async (batch) => {
        sizes.push(batch.length);
        return recordVisits(database.db, batch);
      },
      { maxBatchSize: 50, maxConcurrentBatches: 2 },
    );
    const visits = Array.from({ length: 300 }, (_, index) =>
      visit({
        ipAddress: `203.0.113.${index % 40}`,
        isBot: index % 7 === 0,
        visitedAt: new Date(Date.UTC(2026, 10, 20, 10, index % 30)),
      }),
    );
    const outcomes = await Promise.all(visits.map((entry) => batcher.record(entry)));
    expect(outcomes).toEqual(visits.map(() => 'recorded'));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(300);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    // The first visit is written at once, alone: no waiting for a batch to fill.
    expect(sizes[0]).toBe(1);
    await countersMatchRows();
  });

  it('fails exactly the visits of a batch whose transaction failed, and keeps going', async () => {
    let calls = 0;
    const batcher = createVisitBatcher(
      async (batch) => {
        calls += 1;
        if (calls === 2) throw new Error('the database went away');
        return recordVisits(database.db, batch);
      },
      { maxBatchSize: 10, maxConcurrentBatches: 1 },
    );
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => batcher.record(visit())));
    // Batches: [1], then [10] (fails), then [1].
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', ...Array(10).fill('rejected'), 'fulfilled']);
    const [rows] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(Number(rows?.n)).toBe(2);
    expect(await batcher.record(visit())).toBe('recorded');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVisitWriter } from '../../src/data/visit-writes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { emptyVisitTables, expectCountersToMatchRows, newVisit as visit } from '../support/visits';

/**
 * Visits written together in one transaction (src/data/visit-writes.ts): the counters must
 * equal the rows exactly, and replays must still be told apart.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

beforeEach(async () => {
  await emptyVisitTables(database);
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
    expect(await createVisitWriter(database.handle).recordVisits(batch)).toEqual(batch.map(() => 'recorded'));
    await expectCountersToMatchRows(database);
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
    const writer = createVisitWriter(database.handle);
    const first = visit({ requestId: 'proxy-replay-1' });
    expect(await writer.recordVisits([first])).toEqual(['recorded']);
    const again = visit({ requestId: 'proxy-replay-1' });
    const fresh = visit({ ipAddress: '198.51.100.9' });
    const twin = visit({ requestId: fresh.requestId });
    expect(await writer.recordVisits([again, fresh, twin, visit()])).toEqual(['duplicate', 'recorded', 'duplicate', 'recorded']);
    const [rows] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(Number(rows?.n)).toBe(3);
    await expectCountersToMatchRows(database);
  });

  it('writes a returning visitor once per bucket, and again when a person follows a bot from the address', async () => {
    const writer = createVisitWriter(database.handle);
    await writer.recordVisits([visit({ ipAddress: '198.51.100.20', isBot: true, userAgent: 'curl/8.0' })]);
    await writer.recordVisits([visit({ ipAddress: '198.51.100.20', isBot: true, userAgent: 'curl/8.0' })]);
    const rowsOf = () =>
      database.query<{ is_bot: number }>("SELECT is_bot FROM bucket_visitors WHERE ip_address = '198.51.100.20'");
    expect((await rowsOf()).map((row) => Number(row.is_bot))).toEqual([1]);
    // The writer remembers the bot; a person's visit from the same address must still clear the flag.
    await writer.recordVisits([visit({ ipAddress: '198.51.100.20' })]);
    expect((await rowsOf()).map((row) => Number(row.is_bot))).toEqual([0]);
    await expectCountersToMatchRows(database);
  });
});

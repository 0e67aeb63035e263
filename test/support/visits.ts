import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { NewVisit } from '../../src/domain/visit';
import type { TestDatabase } from './database';

/** A visit as the store hands it to the data layer, with a fresh request id. */
export function newVisit(overrides: Partial<NewVisit> = {}): NewVisit {
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
export async function expectCountersToMatchRows(database: TestDatabase): Promise<void> {
  type Row = { bucket: string; server_id: string; requests: number; bots: number };
  const fromRows = await database.query<Row>(
    `SELECT DATE_FORMAT(TIMESTAMPADD(MINUTE, FLOOR(TIMESTAMPDIFF(MINUTE, '2000-01-01', visited_at) / 15) * 15, '2000-01-01'), '%Y-%m-%d %H:%i') AS bucket,
            server_id, COUNT(*) AS requests, SUM(is_bot) AS bots
     FROM visits GROUP BY bucket, server_id ORDER BY bucket, server_id`,
  );
  const fromCounters = await database.query<Row>(
    `SELECT DATE_FORMAT(bucket_start, '%Y-%m-%d %H:%i') AS bucket, server_id, SUM(requests) AS requests, SUM(bot_requests) AS bots
     FROM visit_counters WHERE bucket_start > '1000-01-01' GROUP BY bucket, server_id ORDER BY bucket, server_id`,
  );
  const normalise = (rows: Row[]) => rows.map((row) => ({ ...row, requests: Number(row.requests), bots: Number(row.bots) }));
  expect(normalise(fromCounters)).toEqual(normalise(fromRows));
  const [allTime] = await database.query<{ requests: number }>(
    "SELECT SUM(requests) AS requests FROM visit_counters WHERE bucket_start = '1000-01-01'",
  );
  const [rows] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
  expect(Number(allTime?.requests)).toBe(Number(rows?.n));
}

/** Empties the visit tables between tests of one file. */
export async function emptyVisitTables(database: TestDatabase): Promise<void> {
  await database.query('DELETE FROM visits');
  await database.query('DELETE FROM visit_counters');
  await database.query('DELETE FROM bucket_visitors');
}

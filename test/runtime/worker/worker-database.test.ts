import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVisitDatabase } from '../../../src/data/visit-database';
import type { HyperdriveBinding } from '../../../src/runtime/worker/env';
import { connectThroughHyperdrive, PreparedStatementsUnsupportedError } from '../../../src/runtime/worker/request-database';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startRuntime } from '../../support/runtimes';
import { getJson, type TestServer, waitFor } from '../../support/server';

/**
 * Hyperdrive rejects protocol-level prepared statements (mysql2 execute()/prepare()), and
 * `wrangler dev` cannot show it: locally the Worker talks to the database directly. So the
 * Worker's connection refuses them itself, and these tests prove that the data path never
 * needs them: with the refusal in place, every query, the visit transaction and every
 * endpoint still work.
 */

let database: TestDatabase;
let binding: HyperdriveBinding;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(await database.appUserUrl());
  binding = {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: database.name,
  };
});

afterAll(async () => {
  await database?.drop();
});

describe("the Worker's database connection", () => {
  it('refuses prepared statements, as Hyperdrive would', async () => {
    const { connection } = connectThroughHyperdrive(binding, 5_000);
    try {
      await expect(connection.promise().execute('SELECT 1')).rejects.toThrow(PreparedStatementsUnsupportedError);
      await expect(connection.promise().prepare('SELECT 1')).rejects.toThrow(PreparedStatementsUnsupportedError);
      // The same connection still answers plain (text protocol) queries.
      const [rows] = await connection.promise().query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await connection.promise().end();
    }
  });

  it('runs every data-access function, the visit transaction included, without one', async () => {
    const { connection, handle } = connectThroughHyperdrive(binding, 5_000);
    const db = createVisitDatabase(handle);
    try {
      const visitedAt = new Date('2026-11-24T10:00:00.000Z');
      const visit = { ipAddress: '203.0.113.9', userAgent: 'guarded', serverId: 'edge-check', visitedAt, isBot: true };
      expect(await db.recordVisits([{ ...visit, requestId: 'guard-1' }])).toEqual(['recorded']);
      expect(await db.recordVisits([{ ...visit, requestId: 'guard-1' }])).toEqual(['duplicate']);

      const filters = [
        {},
        {
          serverId: 'edge-check',
          since: visitedAt,
          until: new Date('2026-11-25'),
          before: { visitedAt: new Date('2027-01-01'), id: 1e9 },
        },
      ];
      for (const filter of filters) {
        expect((await db.listVisits(filter, 10)).map((row) => row.userAgent)).toEqual(['guarded']);
      }
      const counts = await db.requestCounts(new Date('2026-11-24'), new Date('2026-11-25'));
      expect(counts.perServer).toEqual([{ serverId: 'edge-check', requests: 1, botRequests: 1 }]);
      expect([...counts.perBucket.values()]).toEqual([{ requests: 1, botRequests: 1 }]);
      const buckets = await db.bucketRequestCounts(new Date('2026-11-24'), new Date('2026-11-25'));
      expect([...buckets.values()]).toEqual([{ requests: 1, botRequests: 1 }]);
      expect(await db.uniqueVisitors(new Date('2026-11-24'), new Date('2026-11-25'))).toEqual({ all: 1, humans: 0 });
      // A human visit from the same address takes the bot flag's ON DUPLICATE KEY UPDATE path.
      expect(await db.recordVisits([{ ...visit, isBot: false, requestId: 'guard-2' }])).toEqual(['recorded']);
      expect(await db.uniqueVisitors(new Date('2026-11-24'), new Date('2026-11-25'))).toEqual({ all: 1, humans: 1 });
      expect(await db.check(5_000)).toBe('connected');
    } finally {
      await connection.promise().end();
    }
  });
});

describe('the Worker in workerd', () => {
  let worker: TestServer;

  beforeAll(async () => {
    worker = await startRuntime('workerd', database, { env: { SERVER_ID: 'edge-guarded' } });
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it('serves every endpoint with prepared statements refused', async () => {
    for (const path of [
      '/',
      '/',
      '/health',
      '/info',
      '/health/live',
      '/api/stats',
      '/api/stats?date=2026-11-24&tz=Asia/Kathmandu',
    ]) {
      expect((await fetch(`${worker.url}${path}`)).status, path).toBe(200);
    }
    const first = await getJson<{ next_cursor: string }>(
      `${worker.url}/api/visits?limit=1&server_id=edge-guarded&since=2026-01-01`,
    );
    expect(first.status).toBe(200);
    const next = await fetch(`${worker.url}/api/visits?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(next.status).toBe(200);
    expect(worker.logs.filter((line) => line.level === 'error')).toEqual([]);
  });

  // The Worker ends each connection with COM_QUIT after the response (ctx.waitUntil), so
  // Hyperdrive gets it back at once; workerd would also drop the socket when the request ends.
  it('leaves no connection open once the responses have gone', async () => {
    const openConnections = async () => {
      const [row] = await database.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE user = ?',
        [binding.user],
      );
      return Number(row?.n);
    };
    await Promise.all(Array.from({ length: 10 }, () => fetch(`${worker.url}/`).then((response) => response.arrayBuffer())));
    await waitFor('the connections to be closed', async () => (await openConnections()) === 0);
    expect(await openConnections()).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestServer, type TestServer } from '../support/server';

let database: TestDatabase;
let server: TestServer;
let now = new Date('2026-11-20T10:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database, { env: { TRUST_PROXY: 'loopback', SERVER_ID: 'view-check' }, clock: () => now });
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('the visit_stats view', () => {
  it('reports requests and distinct visitors per UTC day and server, without the all-time rows', async () => {
    for (const [at, ip] of [
      ['2026-11-20T10:00:00Z', '198.51.100.1'],
      ['2026-11-20T23:59:00Z', '198.51.100.1'],
      ['2026-11-20T12:00:00Z', '198.51.100.2'],
      ['2026-11-21T00:01:00Z', '198.51.100.1'],
    ] as const) {
      now = new Date(at);
      const response = await fetch(`${server.url}/`, { headers: { 'x-forwarded-for': ip } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const rows = await database.query<{ day: Date | string; server_id: string; requests: number; unique_visitors: number }>(
      'SELECT day, server_id, requests, unique_visitors FROM visit_stats ORDER BY day',
    );
    expect(
      rows.map((row) => ({
        ...row,
        day: new Date(row.day).toISOString().slice(0, 10),
        requests: Number(row.requests),
        unique_visitors: Number(row.unique_visitors),
      })),
    ).toEqual([
      { day: '2026-11-20', server_id: 'view-check', requests: 3, unique_visitors: 2 },
      { day: '2026-11-21', server_id: 'view-check', requests: 1, unique_visitors: 1 },
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { getJson } from '../support/server';

interface VisitJson {
  id: number;
  ip_address: string;
  timestamp: string;
  user_agent: string;
  is_bot: boolean;
  server_id: string;
}
interface VisitsPage {
  visits: VisitJson[];
  count: number;
  next_cursor: string | null;
}

describe.each(RUNTIMES)('on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database);
    // 30 visits at known instants, two servers, through the same path the app uses.
    await database.query(
      `INSERT INTO visits (ip_address, user_agent, server_id, visited_at) VALUES ${Array.from({ length: 30 }, () => '(?, ?, ?, ?)').join(', ')}`,
      Array.from({ length: 30 }, (_, i) => [
        `192.0.2.${i + 1}`,
        `agent-${i}`,
        i % 3 === 0 ? 'replica-b' : 'replica-a',
        // Two visits share each instant so the id tie-break is exercised.
        new Date(Date.UTC(2026, 10, 20, 12, 0, Math.floor(i / 2))),
      ]).flat(),
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('GET /api/visits', () => {
    it('returns the newest visits first with ISO-8601 UTC timestamps', async () => {
      const { status, body, headers } = await getJson<VisitsPage>(`${server.url}/api/visits?limit=5`);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toContain('application/json');
      expect(body.count).toBe(5);
      expect(body.visits).toHaveLength(5);
      expect(Object.keys(body.visits[0] ?? {}).sort()).toEqual([
        'id',
        'ip_address',
        'is_bot',
        'server_id',
        'timestamp',
        'user_agent',
      ]);
      expect(body.visits[0]).toMatchObject({
        is_bot: false,
        ip_address: '192.0.2.30',
        timestamp: '2026-11-20T12:00:14.000Z',
        server_id: 'replica-a',
      });
      for (const visit of body.visits) expect(visit.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const order = body.visits.map((visit) => [visit.timestamp, visit.id] as const);
      expect(order).toEqual([...order].sort((a, b) => (a[0] === b[0] ? b[1] - a[1] : b[0].localeCompare(a[0]))));
      expect(body.next_cursor).toEqual(expect.any(String));
    });

    it('defaults to 50 per page and walks every page exactly once', async () => {
      const first = await getJson<VisitsPage>(`${server.url}/api/visits`);
      expect(first.body.count).toBe(30);
      expect(first.body.next_cursor).toBeNull();

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page: { body: VisitsPage } = await getJson<VisitsPage>(`${server.url}/api/visits?limit=7${query}`);
        seen.push(...page.body.visits.map((visit) => visit.id));
        cursor = page.body.next_cursor;
      } while (cursor !== null);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
    });

    it('filters by server and by a half-open time window', async () => {
      const byServer = await getJson<VisitsPage>(`${server.url}/api/visits?server_id=replica-b&limit=500`);
      expect(byServer.body.count).toBe(10);
      expect(byServer.body.visits.every((visit) => visit.server_id === 'replica-b')).toBe(true);

      const window = await getJson<VisitsPage>(
        `${server.url}/api/visits?since=2026-11-20T12:00:05Z&until=${encodeURIComponent('2026-11-20T13:00:08+01:00')}`,
      );
      // Seconds 5, 6 and 7 (until is exclusive), two visits each.
      expect(window.body.count).toBe(6);
      expect(window.body.visits.map((visit) => visit.timestamp.slice(17, 19)).sort()).toEqual([
        '05',
        '05',
        '06',
        '06',
        '07',
        '07',
      ]);

      const dateOnly = await getJson<VisitsPage>(`${server.url}/api/visits?since=2026-11-21`);
      expect(dateOnly.body.count).toBe(0);
    });

    it.each([
      ['limit=0', 'limit', 'from 1 to 500'],
      ['limit=501', 'limit', 'from 1 to 500'],
      ['limit=abc', 'limit', 'whole number'],
      ['limit=2.5', 'limit', 'whole number'],
      ['cursor=not-a-cursor', 'cursor', 'next_cursor'],
      [`cursor=${btoa(JSON.stringify(['yesterday', 1]))}`, 'cursor', 'next_cursor'],
      ['server_id=a%20b', 'server_id', 'letters, digits'],
      ['since=yesterday', 'since', 'ISO-8601'],
      ['since=2026-02-30', 'since', 'calendar date'],
      ['until=2026-11-20T10:00:00', 'until', 'time zone'],
      ['since=2026-11-21&until=2026-11-20', 'until', 'later than since'],
      ['page=2', 'page', 'not a known parameter'],
      ['limit=1&limit=2', 'limit', 'given more than once'],
    ])('answers %s with 400 naming %s', async (query, field, message) => {
      const { status, body } = await getJson<{ error: string; issues: { field: string; message: string }[] }>(
        `${server.url}/api/visits?${query}`,
      );
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_request');
      expect(body.issues).toEqual([{ field, message: expect.stringContaining(message) }]);
    });

    it('walks all pages while visits are being recorded, without duplicates or gaps in the old rows', async () => {
      const before = await getJson<VisitsPage>(`${server.url}/api/visits?limit=500`);
      const existing = new Set(before.body.visits.map((visit) => visit.id));
      let writing = true;
      const writer = (async () => {
        let written = 0;
        while (writing && written < 300) {
          const response = await fetch(`${server.url}/`);
          expect(response.status).toBe(200);
          await response.arrayBuffer();
          written++;
        }
        return written;
      })();

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page: { body: VisitsPage } = await getJson<VisitsPage>(`${server.url}/api/visits?limit=3${query}`);
        seen.push(...page.body.visits.map((visit) => visit.id));
        cursor = page.body.next_cursor;
      } while (cursor !== null);
      writing = false;
      const written = await writer;

      expect(written).toBeGreaterThan(0);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of existing) expect(seen).toContain(id);
    });

    it('shows a visit committed before the request on every page, while identical pages are read at once', async () => {
      // An end-to-end check of the shared-read wiring under concurrent identical requests; the
      // rule it relies on (a read is joined only if it started after the call) is proven with a
      // controlled clock in test/services/fresh-reads.test.ts.
      let reading = true;
      const readers = Array.from({ length: 4 }, async () => {
        let reads = 0;
        while (reading && reads < 2_000) {
          const response = await fetch(`${server.url}/api/visits?limit=20`);
          expect(response.status).toBe(200);
          await response.arrayBuffer();
          reads++;
        }
        return reads;
      });
      try {
        for (let round = 0; round < 50; round++) {
          const agent = `fresh-read-check-${round}`;
          // Committed straight to the database: nothing between the commit and the requests below.
          await database.query(
            "INSERT INTO visits (ip_address, user_agent, server_id, visited_at) VALUES ('192.0.2.200', ?, 'replica-a', NOW(3))",
            [agent],
          );
          const pages = await Promise.all(
            Array.from({ length: 3 }, () => getJson<VisitsPage>(`${server.url}/api/visits?limit=20`)),
          );
          for (const page of pages) expect(page.body.visits.map((row) => row.user_agent)).toContain(agent);
        }
      } finally {
        reading = false;
      }
      for (const reads of await Promise.all(readers)) expect(reads).toBeGreaterThan(0);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/domain/cursor';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Every query a request runs, EXPLAINed against tables of realistic size. A full table
 * scan, or a full index walk that is not cut short by a LIMIT, fails the test: those are
 * the queries whose cost grows with the number of visits.
 */

const VISITS = 200_000;
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const COUNTER_DAYS = 90;

interface PlanRow {
  id: number | null;
  select_type: string;
  table: string | null;
  type: string | null;
  key: string | null;
  rows: number | string | null;
  Extra: string | null;
}

let database: TestDatabase;
let server: TestServer;
const captured: { query: string; params: unknown[] }[] = [];

// 0..9 as a derived table: cross joins of it generate rows with plain SQL that runs on
// MySQL 8.4 and MariaDB 10.11 alike (no sequence engine, no recursion limit).
const DIGITS =
  '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';

beforeAll(async () => {
  database = await createTestDatabase();
  const numbers = `SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n FROM ${DIGITS} a, ${DIGITS} b, ${DIGITS} c, ${DIGITS} e, ${DIGITS} f`;
  for (let half = 0; half < VISITS / 100_000; half++) {
    await database.query(
      `INSERT INTO visits (ip_address, user_agent, server_id, visited_at)
       SELECT CONCAT('10.', n % 200, '.', n % 250, '.', n % 7), 'seed-agent', CONCAT('replica-', n % 3),
              TIMESTAMP('2026-11-24 12:00:00') - INTERVAL (n + ? * 100000) * 13 SECOND
       FROM (${numbers}) AS numbers`,
      [half],
    );
  }
  // Summary rows for COUNTER_DAYS days: every quarter hour, three servers, a few shards.
  await database.query(
    `INSERT INTO visit_counters (bucket_start, server_id, shard, requests)
     SELECT TIMESTAMP('2026-11-24 00:00:00') - INTERVAL (n DIV 12) * 15 MINUTE, CONCAT('replica-', n % 3), (n DIV 3) % 4, 5
     FROM (${numbers}) AS numbers WHERE n < ?`,
    [COUNTER_DAYS * 96 * 12],
  );
  await database.query(
    `INSERT INTO bucket_visitors (bucket_start, server_id, ip_address)
     SELECT TIMESTAMP('2026-11-24 00:00:00') - INTERVAL (n DIV 20) * 15 MINUTE, CONCAT('replica-', n % 3), CONCAT('10.0.', n % 20, '.1')
     FROM (${numbers}) AS numbers WHERE n < ?`,
    [Math.min(100_000, COUNTER_DAYS * 96 * 20)],
  );
  // The all-time rows (bucket 1000-01-01) for the same servers and shards.
  await database.query(
    `INSERT INTO visit_counters (bucket_start, server_id, shard, requests)
     SELECT '1000-01-01 00:00:00', server_id, shard, SUM(requests) FROM visit_counters GROUP BY server_id, shard`,
  );
  // Tracked sites: a thousand registered, a past year of visitor keys.
  await database.query(
    `INSERT INTO sites (domain, name, is_public, created_at)
     SELECT CONCAT('site-', n, '.example'), CONCAT('Site ', n), n % 2, TIMESTAMP('2026-01-01 00:00:00')
     FROM (${numbers}) AS numbers WHERE n < 1000`,
  );
  await database.query(
    `INSERT INTO visitor_keys (day, secret)
     SELECT DATE('2026-11-23') - INTERVAL n DAY, SHA2(n, 256) FROM (${numbers}) AS numbers WHERE n < 365`,
  );
  // Who was seen with what: 100k visitor-value rows over 90 days of 50 sites; and a year of day
  // figures (two or three values of each dimension a day) for 10 sites.
  await database.query(
    `INSERT INTO site_visitor_values (site_id, day, visitor_hash, dimension, value, batch)
     SELECT n % 50 + 1, DATE('2026-11-24') - INTERVAL (n DIV 1000) % 90 DAY, LPAD(HEX(n), 16, '0'), n % 3, IF(n % 3 = 0, '', CONCAT('/page-', n % 40)), n
     FROM (${numbers}) AS numbers`,
  );
  await database.query(
    `INSERT INTO site_day_values (site_id, dimension, day, value, pageviews, visitors)
     SELECT n % 10 + 1, (n DIV 10) % 10, DATE('2026-11-24') - INTERVAL (n DIV 100) % 365 DAY, IF((n DIV 10) % 10 = 0, '', CONCAT('value-', n DIV 36500)), 5, 3
     FROM (${numbers}) AS numbers WHERE (n DIV 10) % 10 > 0 OR n < 36500`,
  );
  // 100k page views of 50 sites over 90 days (bots among them).
  await database.query(
    `INSERT INTO site_events (site_id, occurred_at, path, browser, os, device, visitor_hash, is_bot)
     SELECT n % 50 + 1, TIMESTAMP('2026-11-24 12:00:00') - INTERVAL n * 77 SECOND, CONCAT('/page-', n % 40), 'Chrome', 'Linux', 'desktop', LPAD(HEX(n % 5000), 16, '0'), n % 10 = 0
     FROM (${numbers}) AS numbers`,
  );
  await database.query(
    'ANALYZE TABLE visits, visit_counters, bucket_visitors, sites, visitor_keys, site_visitor_values, site_day_values, site_events',
  );

  server = await startTestServer(database, {
    clock: () => new Date('2026-11-24T12:00:00Z'),
    logQuery: (query, params) => captured.push({ query, params }),
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

async function explain(query: string, params: unknown[]): Promise<PlanRow[]> {
  return database.query<PlanRow>(`EXPLAIN ${query}`, params);
}

/**
 * Rows the storage engine actually handed over while running the query, from the session's
 * Handler_read_* counters (same names on MySQL and MariaDB). EXPLAIN's `rows` is an
 * estimate that ignores LIMIT; this is what the query really cost.
 */
async function rowsRead(query: string, params: unknown[]): Promise<number> {
  const connection = await database.connection();
  try {
    const readCounters = async () => {
      const [rows] = await connection.query("SHOW SESSION STATUS LIKE 'Handler_read%'");
      return (rows as { Variable_name: string; Value: string }[]).reduce((sum, row) => sum + Number(row.Value), 0);
    };
    const before = await readCounters();
    await connection.query(query, params);
    // SHOW STATUS itself reads no handler rows, so the difference is the query's alone.
    return (await readCounters()) - before;
  } finally {
    connection.release();
  }
}

describe('query plans on the request paths', () => {
  it('has realistic table sizes', async () => {
    const [visits] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(Number(visits?.n)).toBe(VISITS);
  });

  it('never scans a table whose size grows with visits', async () => {
    const [old] = await database.query<{ id: number; visited_at: Date }>('SELECT id, visited_at FROM visits WHERE id = ?', [
      VISITS - 1000,
    ]);
    const deepCursor = encodeCursor({ id: Number(old?.id), visitedAt: new Date(old?.visited_at ?? 0) });
    const paths = [
      '/',
      '/api/visits',
      '/api/visits?limit=500',
      '/api/visits?server_id=replica-1&limit=20',
      '/api/visits?since=2026-11-20T00:00:00Z&until=2026-11-21T00:00:00Z',
      '/api/visits?server_id=replica-2&since=2026-11-01',
      '/api/stats',
      '/api/stats?date=2026-10-01&tz=America/New_York',
      '/api/stats?tz=Asia/Kathmandu',
      '/api/stats?include_bots=false',
      '/health',
      // Deep pages cost what shallow ones do: the cursor seeks, it does not skip.
      `/api/visits?cursor=${deepCursor}`,
      `/api/visits?server_id=replica-1&cursor=${deepCursor}`,
      `/api/visits?server_id=replica-1&since=2026-01-01&cursor=${deepCursor}`,
    ];
    for (const path of paths) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      const body = await response.text();
      // Follow one page further so cursor queries are explained too.
      const cursor = /"next_cursor":"([^"]+)"/.exec(body)?.[1];
      if (cursor !== undefined) {
        const next = new URL(path, server.url);
        next.searchParams.set('cursor', cursor);
        expect((await fetch(next)).status, next.toString()).toBe(200);
      }
    }

    // Page views of a tracked site: the site's lookup and the day's visitor key.
    for (const origin of [undefined, 'https://www.site-7.example']) {
      const response = await fetch(`${server.url}/api/event`, {
        method: 'POST',
        // A person's browser: a bot's page view is stored but rolled up nowhere.
        headers: { 'user-agent': BROWSER, ...(origin === undefined ? {} : { origin }) },
        body: JSON.stringify({
          site: 'site-7.example',
          url: 'https://site-7.example/pricing?utm_source=news',
          referrer: 'https://news.example/',
        }),
      });
      expect(response.status, origin).toBe(202);
    }
    // The same visitor on another replica (which has not seen them) on a new page: part of its
    // visitor-value rows exist, part are new, so it asks which ones it inserted.
    const replica = await startTestServer(database, {
      clock: () => new Date('2026-11-24T12:00:00Z'),
      logQuery: (query, params) => captured.push({ query, params }),
    });
    try {
      const response = await fetch(`${replica.url}/api/event`, {
        method: 'POST',
        headers: { 'user-agent': BROWSER },
        body: JSON.stringify({ site: 'site-7.example', url: 'https://site-7.example/signup?utm_source=news' }),
      });
      expect(response.status).toBe(202);
    } finally {
      await replica.stop();
    }
    // The figures of a tracked site (the seeded day figures' site 8): 30 days, one day by the
    // hour, 30 days in another zone, who is there now, the export. (A year reads a year of
    // distinct values: what it costs is the values, not the events, but more than this bound.)
    for (const path of [
      '/api/sites',
      '/api/sites/site-7.example/stats?from=2026-10-26&to=2026-11-24',
      '/api/sites/site-7.example/stats?from=2026-11-24',
      '/api/sites/site-7.example/stats?from=2026-10-26&to=2026-11-24&tz=Asia/Tokyo',
      '/api/sites/site-7.example/live',
      '/api/sites/site-7.example/export.csv?from=2026-10-26&to=2026-11-24',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
    const preflight = await fetch(`${server.url}/api/event`, {
      method: 'OPTIONS',
      headers: { origin: 'https://site-9.example' },
    });
    expect(preflight.status).toBe(204);

    const selects = captured.filter(({ query }) => /^\s*select/i.test(query) && !/^\s*select 1\s*$/i.test(query));
    const distinct = new Map(selects.map((entry) => [`${entry.query} ${JSON.stringify(entry.params)}`, entry]));
    expect(distinct.size).toBeGreaterThanOrEqual(10);
    // Each table a request path reads.
    for (const table of [
      'visits',
      'visit_counters',
      'bucket_visitors',
      'sites',
      'visitor_keys',
      'site_visitor_values',
      'site_day_values',
      'site_counters',
      'site_events',
    ]) {
      expect(
        [...distinct.values()].some(({ query }) => query.includes(`from \`${table}\``)),
        table,
      ).toBe(true);
    }

    const problems: string[] = [];
    for (const { query, params } of distinct.values()) {
      const limit = Number(/limit \?$/i.test(query) ? params.at(-1) : Number.POSITIVE_INFINITY);
      for (const row of await explain(query, params)) {
        const rows = Number(row.rows ?? 0);
        const where = `${query} [${params.join(', ')}] → ${row.table} type=${row.type} key=${row.key} rows=${rows} ${row.Extra ?? ''}`;
        // A derived table is the grouped rows of a query EXPLAINed in its own row here; reading
        // all of it is what it is for.
        const derived = (row.table ?? '').startsWith('<derived');
        if (row.type === 'ALL' && !derived) problems.push(`full table scan: ${where}`);
        // A full index walk is only acceptable when a LIMIT stops it early.
        if (row.type === 'index' && !(rows <= limit * 2 + 1)) problems.push(`full index scan: ${where}`);
        if (row.table === 'visits' && /filesort/i.test(row.Extra ?? '')) problems.push(`sorts visits: ${where}`);
      }
      // Bounded by the page size for visits, and by servers × shards × buckets in a day for the summaries.
      const bound = Number.isFinite(limit) ? limit * 2 + 20 : 5_000;
      const read = await rowsRead(query, params);
      if (read > bound) problems.push(`read ${read} rows (bound ${bound}): ${query} [${params.join(', ')}]`);
    }
    expect(problems).toEqual([]);
  });
});

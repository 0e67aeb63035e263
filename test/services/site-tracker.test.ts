import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageViewSource } from '../../src/domain/page-view';
import type { Site } from '../../src/domain/site';
import { createSiteTracker, SITE_FOUND_TTL_MS, type SiteTracker } from '../../src/services/site-tracker';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { registerSite } from '../support/sites';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const BOT = 'Googlebot/2.1 (+http://www.google.com/bot.html)';

describe.each([
  ['with shared transactions (Node)', true],
  ['one transaction per page view (the Worker)', false],
])('site tracker %s', (_label, sharedIo) => {
  let database: TestDatabase;
  let tracker: SiteTracker;
  let site: Site;
  let other: Site;

  const view = (path: string, address: string, at: Date, options: { userAgent?: string; into?: Site } = {}) => {
    const into = options.into ?? site;
    const check = pageViewSource(
      { url: `https://${into.domain}${path}?utm_source=news`, referrer: 'https://news.example/' },
      into.domain,
    );
    if (!check.ok) throw new Error(check.message);
    return tracker.recordPageView({
      site: into,
      source: check.view,
      clientAddress: address,
      userAgent: options.userAgent ?? CHROME,
      country: null,
      at,
    });
  };
  const sum = async (column: 'pageviews' | 'visitors', siteId = site.id) =>
    Number(
      (
        await database.query<{ n: number | string | null }>(`SELECT SUM(${column}) AS n FROM site_counters WHERE site_id = ?`, [
          siteId,
        ])
      )[0]?.n ?? 0,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    tracker = createSiteTracker({ primary: () => database.visits, sharedIo });
    site = await registerSite(database, 'example.com');
    other = await registerSite(database, 'other.example', { isPublic: true });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('counts 500 concurrent page views across 3 paths exactly, each visitor once a day, bots stored but not counted', async () => {
    const at = new Date('2026-12-01T10:07:00.000Z');
    const paths = ['/', '/pricing', '/blog/post'];
    await Promise.all([
      ...Array.from({ length: 500 }, (_, index) => view(paths[index % 3] ?? '/', `192.0.2.${index % 50}`, at)),
      ...Array.from({ length: 20 }, (_, index) => view('/', `198.51.100.${index}`, at, { userAgent: BOT })),
    ]);
    expect(await sum('pageviews')).toBe(500);
    expect(await sum('visitors')).toBe(50);
    const byPath = await database.query<{ path: string; n: number }>(
      'SELECT path, COUNT(*) AS n FROM site_events WHERE site_id = ? AND is_bot = 0 GROUP BY path ORDER BY path',
      [site.id],
    );
    expect(byPath.map((row) => [row.path, Number(row.n)])).toEqual([
      ['/', 167],
      ['/blog/post', 166],
      ['/pricing', 167],
    ]);
    const [bots] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM site_events WHERE site_id = ? AND is_bot = 1', [
      site.id,
    ]);
    expect(Number(bots?.n)).toBe(20);
    const [event] = await database.query<Record<string, unknown>>('SELECT * FROM site_events WHERE site_id = ? LIMIT 1', [
      site.id,
    ]);
    expect(event).toMatchObject({
      utm_source: 'news',
      referrer_host: 'news.example',
      browser: 'Chrome',
      os: 'Windows',
      device: 'desktop',
    });
    // No address in any column, only the day's hash.
    expect(JSON.stringify(event)).not.toMatch(/192\.0\.2\.|198\.51\.100\./);
    expect(String(event?.visitor_hash)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps a visitor one visitor all day, a new one the next day, and apart per site', async () => {
    const morning = new Date('2026-11-20T08:00:00.000Z');
    const evening = new Date('2026-11-20T21:30:00.000Z');
    const nextDay = new Date('2026-11-21T08:00:00.000Z');
    await view('/', '203.0.113.9', morning, { into: other });
    await view('/', '203.0.113.9', evening, { into: other });
    await view('/', '203.0.113.9', nextDay, { into: other });
    const hashes = await database.query<{ occurred_at: Date; visitor_hash: string }>(
      'SELECT occurred_at, visitor_hash FROM site_events WHERE site_id = ? ORDER BY occurred_at',
      [other.id],
    );
    expect(hashes).toHaveLength(3);
    expect(hashes[0]?.visitor_hash).toBe(hashes[1]?.visitor_hash);
    expect(hashes[2]?.visitor_hash).not.toBe(hashes[0]?.visitor_hash);
    expect(await sum('pageviews', other.id)).toBe(3);
    // Once on the 20th (in its morning quarter hour), once on the 21st.
    expect(await sum('visitors', other.id)).toBe(2);
    const [first] = await database.query<{ visitors: number }>(
      "SELECT SUM(visitors) AS visitors FROM site_counters WHERE site_id = ? AND bucket_start = '2026-11-20 08:00:00'",
      [other.id],
    );
    expect(Number(first?.visitors)).toBe(1);
    // The same address on another site is another visitor.
    const [elsewhere] = await database.query<{ visitor_hash: string }>(
      'SELECT visitor_hash FROM site_events WHERE site_id = ? LIMIT 1',
      [site.id],
    );
    expect(hashes.map((row) => row.visitor_hash)).not.toContain(elsewhere?.visitor_hash);
  });

  it('rolls page views up per day of the site and value, each visitor once per value and day', async () => {
    const berlin = await registerSite(database, `berlin-${sharedIo}.example`, { timeZone: 'Europe/Berlin' });
    // 23:30 UTC on the 19th is 00:30 on the 20th in Berlin; 22:30 UTC on the 20th is 23:30 there.
    const views: [string, string, string][] = [
      ['/a', '203.0.113.1', '2026-11-19T23:30:00.000Z'],
      ['/a', '203.0.113.1', '2026-11-20T10:00:00.000Z'],
      ['/b', '203.0.113.1', '2026-11-20T22:30:00.000Z'],
      ['/a', '203.0.113.2', '2026-11-20T12:00:00.000Z'],
      // 23:15 UTC on the 20th is the 21st in Berlin: another day, the same address a new visitor.
      ['/a', '203.0.113.1', '2026-11-20T23:15:00.000Z'],
    ];
    // One at a time, then all at once: each visitor is new for a value exactly once either way.
    const [first, ...rest] = views;
    if (first !== undefined) await view(first[0], first[1], new Date(first[2]), { into: berlin });
    await Promise.all(rest.map(([path, address, at]) => view(path, address, new Date(at), { into: berlin })));
    await view('/a', '203.0.113.3', new Date('2026-11-20T12:00:00.000Z'), { into: berlin, userAgent: BOT });
    const rows = await database.query<{ dimension: number; day: string; value: string; pageviews: number; visitors: number }>(
      "SELECT dimension, DATE_FORMAT(day, '%Y-%m-%d') AS day, value, pageviews, visitors FROM site_day_values WHERE site_id = ? AND dimension IN (0, 1, 2, 3, 6) ORDER BY dimension, day, value",
      [berlin.id],
    );
    expect(rows.map((row) => [Number(row.dimension), row.day, row.value, Number(row.pageviews), Number(row.visitors)])).toEqual([
      [0, '2026-11-20', '', 4, 2],
      [0, '2026-11-21', '', 1, 1],
      [1, '2026-11-20', '/a', 3, 2],
      [1, '2026-11-20', '/b', 1, 1],
      [1, '2026-11-21', '/a', 1, 1],
      [2, '2026-11-20', 'news.example', 4, 2],
      [2, '2026-11-21', 'news.example', 1, 1],
      [3, '2026-11-20', 'news', 4, 2],
      [3, '2026-11-21', 'news', 1, 1],
      [6, '2026-11-20', 'Chrome', 4, 2],
      [6, '2026-11-21', 'Chrome', 1, 1],
    ]);
    // The quarter-hour counters agree with the day figures.
    expect(await sum('pageviews', berlin.id)).toBe(5);
    expect(await sum('visitors', berlin.id)).toBe(3);
  });

  it('finds a site by the origins it is served from, and nothing else', async () => {
    expect((await tracker.siteOfOrigin('https://www.example.com'))?.id).toBe(site.id);
    expect((await tracker.siteOfOrigin('http://example.com'))?.id).toBe(site.id);
    expect(await tracker.siteOfOrigin('https://blog.example.com')).toBeUndefined();
    expect(await tracker.siteOfOrigin('https://example.com:8443')).toBeUndefined();
    expect(await tracker.siteOfOrigin('null')).toBeUndefined();
    expect((await tracker.findSite('other.example'))?.isPublic).toBe(true);
  });

  it('remembers a site it found for SITE_FOUND_TTL_MS, forgets one it removes at once, and never remembers one it did not find', async () => {
    let now = 1_000_000;
    const remembering = createSiteTracker({ primary: () => database.visits, sharedIo, now: () => now });
    const removedElsewhere = await registerSite(database, 'elsewhere.example');
    expect((await remembering.findSite('elsewhere.example'))?.id).toBe(removedElsewhere.id);
    // Removed by another process (another replica, npm run site): still found until the time is up.
    await database.query('DELETE FROM sites WHERE id = ?', [removedElsewhere.id]);
    now += SITE_FOUND_TTL_MS - 1;
    expect((await remembering.findSite('elsewhere.example'))?.id).toBe(removedElsewhere.id);
    now += 1;
    expect(await remembering.findSite('elsewhere.example')).toBeUndefined();

    // Not found, then registered elsewhere: found on the next lookup, with no wait.
    expect(await remembering.findSite('late.example')).toBeUndefined();
    const late = await registerSite(database, 'late.example');
    expect((await remembering.findSite('late.example'))?.id).toBe(late.id);

    // Removed through this tracker: refused from the next lookup on.
    expect((await remembering.findSite('late.example'))?.id).toBe(late.id);
    expect((await remembering.unregister('late.example'))?.id).toBe(late.id);
    expect(await remembering.findSite('late.example')).toBeUndefined();
  });
});

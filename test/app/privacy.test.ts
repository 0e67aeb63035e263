import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacySettings } from '../../src/config/service';
import { retentionSettings } from '../../src/config/tools';
import { ConfigError, parseSettings } from '../../src/config/variables';
import { countExpired, type PurgeBatch, purgeExpired } from '../../src/data/retention';
import { unregisterSite } from '../../src/data/sites';
import { isBotUserAgent } from '../../src/domain/bot-detection';
import { createIpAnonymizer, hashAddress, truncateAddress } from '../../src/domain/ip-anonymizer';
import { webCryptoHashing } from '../../src/domain/keyed-hash';
import { retentionCutoff } from '../../src/domain/retention';
import { runPurge } from '../../src/ops/purge';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { getJson, startTestServer, type TestServer } from '../support/server';
import { registerSite } from '../support/sites';

const HASH_KEY = 'test-only-hash-key-0123456789abcdef'; // 35 characters
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

interface Stats {
  total: number;
  server_stats: { server_id: string; requests: number }[];
  hourly_stats: { requests: number }[];
  unique_visitors: number;
  include_bots: boolean;
  bots: { total: number; day: number };
}

async function visit(server: TestServer, headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${server.url}/`, { headers });
  expect(response.status).toBe(200);
  return response.text();
}

async function storedAddresses(database: TestDatabase): Promise<string[]> {
  const rows = await database.query<{ ip_address: string }>('SELECT ip_address FROM visits ORDER BY id');
  return rows.map((row) => row.ip_address);
}

describe('address truncation', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['10.1.2.3', '10.1.2.0'],
    ['2001:db8:abcd:12:3456::1', '2001:db8:abcd::'],
    ['2001:DB8:ABCD:FFFF:FFFF:FFFF:FFFF:FFFF', '2001:db8:abcd::'],
    ['::1', '::'],
    // IPv4-mapped IPv6, as a dual-stack socket reports IPv4 clients: treated as IPv4.
    ['::ffff:198.51.100.9', '198.51.100.0'],
    // Not an address: kept, it identifies nobody.
    ['unknown', 'unknown'],
  ])('stores %s as %s', (address, stored) => {
    expect(truncateAddress(address)).toBe(stored);
  });
});

describe('keyed daily hash', () => {
  it('is the same all day, differs across days and keys, and fits the column', async () => {
    const key = await webCryptoHashing(HASH_KEY);
    const today = await hashAddress('203.0.113.77', key, '2026-11-24');
    expect(today).toMatch(/^[0-9a-f]{16}$/);
    expect(await hashAddress('203.0.113.77', key, '2026-11-24')).toBe(today);
    expect(await hashAddress('::ffff:203.0.113.77', key, '2026-11-24')).toBe(today);
    expect(await hashAddress('203.0.113.77', key, '2026-11-25')).not.toBe(today);
    expect(await hashAddress('203.0.113.78', key, '2026-11-24')).not.toBe(today);
    expect(await hashAddress('203.0.113.77', await webCryptoHashing(`${HASH_KEY}x`), '2026-11-24')).not.toBe(today);
  });

  it('changes at midnight in APP_TIMEZONE, not at midnight UTC', async () => {
    const anonymize = createIpAnonymizer({ mode: 'hash', key: HASH_KEY }, 'Asia/Tokyo');
    // 14:59 and 15:01 UTC are 23:59 and 00:01 in Tokyo; 00:30 UTC is 09:30 the same Tokyo day.
    const before = await anonymize('198.51.100.1', new Date('2026-11-24T14:59:00Z'));
    const after = await anonymize('198.51.100.1', new Date('2026-11-24T15:01:00Z'));
    expect(await anonymize('198.51.100.1', new Date('2026-11-24T00:30:00Z'))).toBe(before);
    expect(after).not.toBe(before);
  });
});

describe('IP_ANONYMIZE and RETENTION_DAYS', () => {
  const parse = (env: Record<string, string>) => {
    const settings = parseSettings(env, { privacy: privacySettings, retention: retentionSettings });
    return { ...settings.privacy, ...settings.retention };
  };

  it('truncates in production and stores full addresses elsewhere unless told otherwise', () => {
    expect(parse({ APP_ENV: 'production' }).ipAnonymization).toEqual({ mode: 'truncate' });
    expect(parse({ APP_ENV: 'development' }).ipAnonymization).toEqual({ mode: 'off' });
    expect(parse({ APP_ENV: 'production', IP_ANONYMIZE: 'off' }).ipAnonymization).toEqual({ mode: 'off' });
    expect(parse({ IP_ANONYMIZE: 'Hash', IP_HASH_KEY: HASH_KEY }).ipAnonymization).toEqual({ mode: 'hash', key: HASH_KEY });
  });

  it('requires a long IP_HASH_KEY for hash mode and never echoes it', () => {
    expect(() => parse({ IP_ANONYMIZE: 'hash' })).toThrow(/IP_HASH_KEY: required when IP_ANONYMIZE=hash.*openssl rand -hex 32/);
    const short = (() => {
      try {
        parse({ IP_ANONYMIZE: 'hash', IP_HASH_KEY: 'too-short-secret' });
      } catch (error) {
        return error;
      }
    })();
    expect(short).toBeInstanceOf(ConfigError);
    expect(String(short)).toMatch(/IP_HASH_KEY: expected at least 32 characters/);
    expect(String(short)).not.toContain('too-short-secret');
    expect(() => parse({ IP_ANONYMIZE: 'scramble' })).toThrow(/IP_ANONYMIZE: expected one of: off, truncate, hash/);
  });

  it('keeps visits forever by default and accepts whole days', () => {
    expect(parse({}).retentionDays).toBe(0);
    expect(parse({ RETENTION_DAYS: '400' }).retentionDays).toBe(400);
    expect(() => parse({ RETENTION_DAYS: '-1' })).toThrow(/RETENTION_DAYS/);
    expect(retentionCutoff(new Date('2026-11-24T15:30:00Z'), 0)).toBeUndefined();
    expect(retentionCutoff(new Date('2026-11-24T15:30:00Z'), 30)?.toISOString()).toBe('2026-10-25T00:00:00.000Z');
  });
});

describe('bot detection', () => {
  it.each([
    GOOGLEBOT,
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'curl/8.5.0',
    'Wget/1.21.4',
    'python-requests/2.32.3',
    'node',
    'kube-probe/1.31',
    'ELB-HealthChecker/2.0',
    'Mozilla/5.0 (compatible; monitoring)',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36',
    '',
  ])('flags %j as a bot', (userAgent) => {
    expect(isBotUserAgent(userAgent)).toBe(true);
  });

  it.each([
    FIREFOX,
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  ])('takes %j for a person', (userAgent) => {
    expect(isBotUserAgent(userAgent)).toBe(false);
  });
});

describe.each(RUNTIMES)('on %s', (runtime) => {
  let database: TestDatabase;
  let truncating: RuntimeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    truncating = await startRuntime(runtime, database, {
      env: { IP_ANONYMIZE: 'truncate', TRUST_PROXY: 'loopback', SERVER_ID: 'privacy-1' },
    });
  });

  afterAll(async () => {
    await truncating?.stop();
    await database?.drop();
  });

  it('with IP_ANONYMIZE=truncate stores the network only, and still counts unique visitors', async () => {
    const human = (address: string) => ({ ...truncating.clientHeaders(address), 'user-agent': FIREFOX });
    await visit(truncating, human('203.0.113.77'));
    await visit(truncating, human('203.0.113.78')); // the same /24: one visitor once truncated
    await visit(truncating, human('2001:db8:abcd:12::1'));
    expect(await storedAddresses(database)).toEqual(['203.0.113.0', '203.0.113.0', '2001:db8:abcd::']);
    const visitors = await database.query<{ ip_address: string }>('SELECT DISTINCT ip_address FROM bucket_visitors ORDER BY 1');
    expect(visitors.map((row) => row.ip_address)).toEqual(['2001:db8:abcd::', '203.0.113.0']);

    const stats = await getJson<Stats>(`${truncating.url}/api/stats?include_bots=false`);
    expect(stats.body).toMatchObject({ total: 3, unique_visitors: 2, include_bots: false });
    const page = await getJson<{ visits: { ip_address: string }[] }>(`${truncating.url}/api/visits?limit=3`);
    expect(page.body.visits.map((item) => item.ip_address)).not.toContain('203.0.113.77');
  });

  it('flags a crawler as a bot and leaves it out of the human figures', async () => {
    const before = (await getJson<Stats>(`${truncating.url}/api/stats?include_bots=false`)).body;
    const everything = (await getJson<Stats>(`${truncating.url}/api/stats`)).body;
    const html = await visit(truncating, { ...truncating.clientHeaders('198.51.100.200'), 'user-agent': GOOGLEBOT });

    const [stored] = await database.query<{ is_bot: number; ip_address: string }>(
      'SELECT is_bot, ip_address FROM visits ORDER BY id DESC LIMIT 1',
    );
    expect(stored).toEqual({ is_bot: 1, ip_address: '198.51.100.0' });
    const humans = (await getJson<Stats>(`${truncating.url}/api/stats?include_bots=false`)).body;
    expect(humans).toMatchObject({ total: before.total, unique_visitors: before.unique_visitors });
    expect(humans.bots.total).toBe(before.bots.total + 1);
    expect(humans.bots.day).toBe(before.bots.day + 1);
    expect(humans.hourly_stats.reduce((sum, hour) => sum + hour.requests, 0)).toBe(
      before.hourly_stats.reduce((sum, hour) => sum + hour.requests, 0),
    );
    // By default every request counts, bots included, as before bots were told apart.
    const all = (await getJson<Stats>(`${truncating.url}/api/stats`)).body;
    expect(all).toMatchObject({
      total: everything.total + 1,
      unique_visitors: everything.unique_visitors + 1,
      include_bots: true,
    });

    // The dashboard counts people and shows the bots beside them.
    expect(html).toContain(`<div class="total" id="total">${humans.total}</div>`);
    expect(html).toMatch(new RegExp(`id="bots">[^<]*made ${humans.bots.total} more requests`));
    const latest = await getJson<{ visits: { is_bot: boolean; user_agent: string }[] }>(`${truncating.url}/api/visits?limit=2`);
    expect(latest.body.visits.map((item) => [item.user_agent, item.is_bot])).toEqual([
      [GOOGLEBOT, true],
      [FIREFOX, false],
    ]);
  });

  it('counts an address as a human visitor once a person visits from it, even after a bot did', async () => {
    const before = (await getJson<Stats>(`${truncating.url}/api/stats?include_bots=false`)).body;
    const address = '192.0.2.10';
    await visit(truncating, { ...truncating.clientHeaders(address), 'user-agent': 'curl/8.5.0' });
    expect((await getJson<Stats>(`${truncating.url}/api/stats?include_bots=false`)).body.unique_visitors).toBe(
      before.unique_visitors,
    );
    await visit(truncating, { ...truncating.clientHeaders(address), 'user-agent': FIREFOX });
    const after = (await getJson<Stats>(`${truncating.url}/api/stats?include_bots=false`)).body;
    expect(after.unique_visitors).toBe(before.unique_visitors + 1);
    expect(after.total).toBe(before.total + 1);
  });

  it('answers a bad include_bots with 400 naming it', async () => {
    const { status, body } = await getJson(`${truncating.url}/api/stats?include_bots=yes`);
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_request', issues: [{ field: 'include_bots', message: 'must be true or false' }] });
  });
});

describe('IP_ANONYMIZE=hash end to end', () => {
  let database: TestDatabase;
  let server: TestServer;
  let now = new Date('2026-11-24T10:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, {
      env: { IP_ANONYMIZE: 'hash', IP_HASH_KEY: HASH_KEY, TRUST_PROXY: 'loopback' },
      clock: () => now,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('stores the same value for an address all day, another the next day, and counts visitors from it', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address, 'user-agent': FIREFOX });
    await visit(server, from('203.0.113.77'));
    now = new Date('2026-11-24T22:00:00Z');
    await visit(server, from('203.0.113.77'));
    await visit(server, from('203.0.113.78'));
    now = new Date('2026-11-25T08:00:00Z');
    await visit(server, from('203.0.113.77'));

    const [first, sameDay, otherAddress, nextDay] = await storedAddresses(database);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(sameDay).toBe(first);
    expect(otherAddress).not.toBe(first);
    expect(nextDay).not.toBe(first);
    expect(await database.query('SELECT 1 FROM visits WHERE ip_address LIKE ?', ['203.%'])).toEqual([]);

    const day = await getJson<Stats>(`${server.url}/api/stats?date=2026-11-24&tz=UTC&include_bots=false`);
    expect(day.body).toMatchObject({ total: 4, unique_visitors: 2 });
    const nextDayStats = await getJson<Stats>(`${server.url}/api/stats?date=2026-11-25&tz=UTC`);
    expect(nextDayStats.body.unique_visitors).toBe(1);
  });
});

describe('retention purge', () => {
  let database: TestDatabase;
  const now = new Date('2026-11-24T15:00:00Z');
  const cutoff = retentionCutoff(now, 30) as Date; // 2026-10-25T00:00:00Z
  const OLD_VISITS = 12;
  const RECENT_VISITS = 5;

  const DAY_MS = 86_400_000;

  /**
   * Visits, their visitors and counters as recordVisit writes them, on both sides of the cutoff
   * of a 30-day retention at `at`: old and recent ones interleaved by id, so a purge by id range
   * alone would be wrong, plus the last old instant and the first kept one.
   */
  async function seed(at: Date): Promise<void> {
    const edge = retentionCutoff(at, 30) as Date;
    await database.query('DELETE FROM visits');
    await database.query('DELETE FROM bucket_visitors');
    await database.query('DELETE FROM visit_counters');
    const rows: [string, Date][] = [];
    for (let i = 0; i < OLD_VISITS; i++) {
      rows.push([`192.0.2.${i}`, new Date(edge.getTime() - (i + 2) * DAY_MS)]);
      if (i < RECENT_VISITS) rows.push([`198.51.100.${i}`, new Date(at.getTime() - i * DAY_MS)]);
    }
    rows.push(['192.0.2.250', new Date(edge.getTime() - 1)], ['198.51.100.250', edge]);
    for (const [address, visitedAt] of rows) {
      await database.query('INSERT INTO visits (ip_address, user_agent, server_id, visited_at, is_bot) VALUES (?, ?, ?, ?, 0)', [
        address,
        FIREFOX,
        'purge-check',
        visitedAt,
      ]);
      await database.query(
        `INSERT IGNORE INTO bucket_visitors (bucket_start, server_id, ip_address, is_bot)
         VALUES (TIMESTAMP(DATE_FORMAT(?, '%Y-%m-%d %H:00:00')), 'purge-check', ?, 0)`,
        [visitedAt, address],
      );
    }
    await database.query(
      `INSERT INTO visit_counters (bucket_start, server_id, shard, requests, bot_requests)
       VALUES ('1000-01-01', 'purge-check', 0, ?, 0), (?, 'purge-check', 0, 1, 0)`,
      [rows.length, new Date(edge.getTime() - 10 * DAY_MS)],
    );
  }

  const remaining = async () =>
    (await database.query<{ ip_address: string }>('SELECT ip_address FROM visits ORDER BY ip_address')).map(
      (row) => row.ip_address,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('deletes only visits and visitor rows older than the retention, in batches, and keeps the counters', async () => {
    await seed(now);
    expect(await countExpired(database.db, cutoff)).toEqual({
      visits: OLD_VISITS + 1,
      bucketVisitors: OLD_VISITS + 1,
      siteEvents: 0,
    });
    const batches: PurgeBatch[] = [];
    const deleted = await purgeExpired(database.db, cutoff, { batchSize: 5, onBatch: (batch) => batches.push(batch) });

    expect(deleted).toEqual({ visits: OLD_VISITS + 1, bucketVisitors: OLD_VISITS + 1, siteEvents: 0 });
    expect(batches.filter((batch) => batch.table === 'visits').map((batch) => batch.deleted)).toEqual([5, 5, 3]);
    expect(batches.filter((batch) => batch.table === 'bucket_visitors').map((batch) => batch.total)).toEqual([5, 10, 13]);
    expect(await remaining()).toEqual(
      [...Array.from({ length: RECENT_VISITS }, (_, i) => `198.51.100.${i}`), '198.51.100.250'].sort(),
    );
    const [oldVisitors] = await database.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM bucket_visitors WHERE bucket_start < ?',
      [cutoff],
    );
    expect(Number(oldVisitors?.n)).toBe(0);
    const [counters] = await database.query<{ n: number; requests: number }>(
      'SELECT COUNT(*) AS n, SUM(requests) AS requests FROM visit_counters',
    );
    expect({ n: Number(counters?.n), requests: Number(counters?.requests) }).toEqual({
      n: 2,
      requests: OLD_VISITS + RECENT_VISITS + 2 + 1,
    });

    // Running it again finds nothing more.
    expect(await purgeExpired(database.db, cutoff, { batchSize: 5 })).toEqual({ visits: 0, bucketVisitors: 0, siteEvents: 0 });
  });

  it('says how many rows would go on a dry run, and does nothing when keeping forever', async () => {
    await seed(now);
    const lines: string[] = [];
    const dryRun = await runPurge({
      db: database.db,
      retentionDays: 30,
      now,
      dryRun: true,
      progress: (line) => lines.push(line),
    });
    expect(dryRun).toEqual({
      kind: 'dry-run',
      cutoff,
      wouldDelete: { visits: OLD_VISITS + 1, bucketVisitors: OLD_VISITS + 1, siteEvents: 0 },
    });
    expect(lines.join('\n')).toContain(`would delete ${OLD_VISITS + 1} visits`);
    expect(await runPurge({ db: database.db, retentionDays: 0, now, dryRun: false, progress: () => {} })).toEqual({
      kind: 'keep-forever',
      visitorState: { siteVisitorValues: 0, visitorKeys: 0 },
      removedSites: [],
    });
    expect(await remaining()).toHaveLength(OLD_VISITS + RECENT_VISITS + 2);
  });

  it("purges tracked sites' old page views by retention, and their visitor state after two days whatever it says", async () => {
    const site = await registerSite(database, 'purge.example');
    const event = (at: string) => [site.id, at, '/', 'Chrome', 'Linux', 'desktop', 'aaaaaaaaaaaaaaaa', 0];
    await database.query(
      'INSERT INTO site_events (site_id, occurred_at, path, browser, os, device, visitor_hash, is_bot) VALUES ?',
      [[event('2026-10-01 10:00:00'), event('2026-10-02 10:00:00'), event('2026-11-24 09:00:00')]],
    );
    const seen = (day: string) => [site.id, day, 'aaaaaaaaaaaaaaaa', 0, '', 1];
    await database.query('INSERT INTO site_visitor_values (site_id, day, visitor_hash, dimension, value, batch) VALUES ?', [
      [seen('2026-11-20'), seen('2026-11-21'), seen('2026-11-22'), seen('2026-11-24')],
    ]);
    await database.query(
      "INSERT INTO visitor_keys (day, secret) VALUES ('2026-11-21', 'a'), ('2026-11-22', 'b'), ('2026-11-24', 'c')",
    );
    await database.query(
      "INSERT INTO site_day_values (site_id, dimension, day, value, pageviews, visitors) VALUES (?, 0, '2026-10-01', '', 1, 1)",
      [site.id],
    );

    const outcome = await runPurge({ db: database.db, retentionDays: 30, now, dryRun: false, batchSize: 1, progress: () => {} });
    expect(outcome).toMatchObject({
      kind: 'purged',
      deleted: { siteEvents: 2 },
      visitorState: { siteVisitorValues: 2, visitorKeys: 1 },
    });
    const days = async (sql: string) => (await database.query<{ day: string }>(sql)).map((row) => row.day);
    expect(await days(`SELECT DATE_FORMAT(occurred_at, '%Y-%m-%d') AS day FROM site_events WHERE site_id = ${site.id}`)).toEqual([
      '2026-11-24',
    ]);
    // Kept from two days back (UTC): a date's key is in use somewhere on Earth until noon UTC the day after.
    expect(await days("SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day FROM site_visitor_values ORDER BY day")).toEqual([
      '2026-11-22',
      '2026-11-24',
    ]);
    expect(await days("SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day FROM visitor_keys ORDER BY day")).toEqual([
      '2026-11-22',
      '2026-11-24',
    ]);
    // The figures are plain numbers: kept.
    expect(await days("SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day FROM site_day_values")).toEqual(['2026-10-01']);
  });

  it("deletes the data of sites removed through the admin API, and no other site's", async () => {
    const removed = await registerSite(database, 'removed.example');
    const kept = await registerSite(database, 'kept.example');
    for (const site of [removed, kept]) {
      await database.query(
        "INSERT INTO site_events (site_id, occurred_at, path, browser, os, device, visitor_hash, is_bot) VALUES (?, '2026-11-24 09:00:00', '/', 'Chrome', 'Linux', 'desktop', 'aaaaaaaaaaaaaaaa', 0)",
        [site.id],
      );
      await database.query(
        "INSERT INTO site_counters (site_id, bucket_start, shard, pageviews, visitors) VALUES (?, '2026-11-24 09:00:00', 0, 1, 1)",
        [site.id],
      );
      await database.query(
        "INSERT INTO site_day_values (site_id, dimension, day, value, pageviews, visitors) VALUES (?, 1, '2026-11-24', '/', 1, 1)",
        [site.id],
      );
    }
    expect((await unregisterSite(database.db, 'removed.example'))?.id).toBe(removed.id);
    const lines: string[] = [];
    const outcome = await runPurge({
      db: database.db,
      retentionDays: 0,
      now,
      dryRun: false,
      progress: (line) => lines.push(line),
    });
    expect(outcome).toMatchObject({ kind: 'keep-forever', removedSites: [removed.id] });
    expect(lines).toContain(`the data of 1 removed site(s) deleted (ids ${removed.id})`);
    for (const table of ['site_events', 'site_counters', 'site_day_values']) {
      const rows = await database.query<{ site_id: number }>(`SELECT site_id FROM ${table} WHERE site_id IN (?, ?)`, [
        removed.id,
        kept.id,
      ]);
      expect(
        rows.map((row) => Number(row.site_id)),
        table,
      ).toEqual([kept.id]);
    }
  });

  describe('npm run db:purge', () => {
    const cli = fileURLToPath(new URL('../../src/ops/cli/db-purge.ts', import.meta.url));
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', cli, ...args],
          { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
          (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
        );
      });
    // The CLI purges relative to the real clock: seed around today.
    const retentionDays = '30';

    it('reports a dry run, then deletes in batches with a line per batch', async () => {
      await seed(new Date());
      const env = { DATABASE_URL: database.url, RETENTION_DAYS: retentionDays };
      const dryRun = await run(['--dry-run'], env);
      expect(dryRun.code, dryRun.stderr).toBe(0);
      expect(dryRun.stdout).toMatch(/\[db:purge\] dry run: would delete \d+ visits/);

      const purge = await run(['--batch-size', '4'], env);
      expect(purge.code, purge.stderr).toBe(0);
      expect(purge.stdout.match(/\[db:purge\] visits: deleted \d+/g)?.length).toBeGreaterThanOrEqual(3);
      expect(purge.stdout).toContain('visit_counters kept');
      expect(await remaining()).toHaveLength(RECENT_VISITS + 1);
    });

    it("fails as the service's user, which may not delete, and says whom to run it as", async () => {
      await seed(new Date());
      const purge = await run([], { DATABASE_URL: await database.appUserUrl(), RETENTION_DAYS: retentionDays });
      expect(purge.code).toBe(1);
      expect(purge.stderr).toMatch(/DELETE command denied|denied/i);
      expect(purge.stderr).toContain('the migration user');
      expect(await remaining()).toHaveLength(OLD_VISITS + RECENT_VISITS + 2);
    });

    it('refuses a bad batch size, naming it', async () => {
      const purge = await run(['--batch-size', '0'], { DATABASE_URL: database.url, RETENTION_DAYS: '30' });
      expect(purge.code).toBe(1);
      expect(purge.stderr).toContain('--batch-size: expected a whole number from 1 to 100000');
    });
  });
});

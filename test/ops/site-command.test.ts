import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';

const cli = fileURLToPath(new URL('../../src/ops/cli/site.ts', import.meta.url));

describe('npm run site', () => {
  let database: TestDatabase;
  // Not a TTY (a pipe), like a script or CI: removing must be confirmed with --yes.
  const run = (args: string[], url = database.url) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', cli, ...args],
        { env: { PATH: process.env.PATH ?? '', DATABASE_URL: url }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
      );
    });
  const rows = () =>
    database.query<{ domain: string; name: string; is_public: number }>(
      'SELECT domain, name, is_public FROM sites ORDER BY domain',
    );

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    await database.query('DELETE FROM sites');
  });

  it('adds a site in its canonical form, lists it, and leaves a second add of it alone', async () => {
    const added = await run(['add', ' www.Example.COM. ', '--name', 'Example', '--public']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('added example.com ("Example", public');
    expect(await rows()).toEqual([{ domain: 'example.com', name: 'Example', is_public: 1 }]);

    const again = await run(['add', 'example.com']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('example.com is already registered (as "Example", public); nothing changed');

    const other = await run(['add', 'localhost:5173', '--tz', 'Europe/Berlin']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('private, days in Europe/Berlin');
    const listed = await run(['list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/\[site\] example\.com\tpublic\tUTC\tExample\tadded \d{4}-\d\d-\d\dT/);
    expect(listed.stdout).toMatch(/\[site\] localhost:5173\tprivate\tEurope\/Berlin\tlocalhost:5173\t/);
    expect(listed.stdout).toContain('2 sites');
  });

  it('refuses a URL or a bad port, naming the argument and what to give', async () => {
    const url = await run(['add', 'https://example.com/pricing']);
    expect(url.code).toBe(1);
    expect(url.stderr).toContain(
      '<domain> "https://example.com/pricing" is a URL, not a domain: give only the host, e.g. example.com',
    );
    const port = await run(['add', 'example.com:0']);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('bad port "0"');
    const unknown = await run(['rename', 'example.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown subcommand "rename"');
    expect(unknown.stderr).toContain('npm run site -- add <domain>');
    const zone = await run(['add', 'example.com', '--tz', 'Mars/Olympus']);
    expect(zone.code).toBe(1);
    expect(zone.stderr).toContain('--tz "Mars/Olympus": not an IANA time zone; give one like Europe/Berlin');
    const option = await run(['add', 'example.com', '--private']);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("'--private'");
    expect(await rows()).toEqual([]);
  });

  it('removes only when confirmed, with all its data, and says so when the site is not there', async () => {
    await run(['add', 'example.com']);
    await run(['add', 'other.example']);
    const [site] = await database.query<{ id: number }>("SELECT id FROM sites WHERE domain = 'example.com'");
    const [other] = await database.query<{ id: number }>("SELECT id FROM sites WHERE domain = 'other.example'");
    const siteData = async (siteId: number | undefined) => {
      const counts: number[] = [];
      for (const table of ['site_events', 'site_counters', 'site_day_values', 'site_visitor_values']) {
        const [row] = await database.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE site_id = ?`, [siteId]);
        counts.push(Number(row?.n));
      }
      return counts;
    };
    for (const siteId of [site?.id, other?.id]) {
      await database.query(
        "INSERT INTO site_events (site_id, occurred_at, path, browser, os, device, visitor_hash) VALUES (?, '2026-11-20 10:00:00', '/', 'Chrome', 'Linux', 'desktop', 'aaaaaaaaaaaaaaaa')",
        [siteId],
      );
      await database.query(
        "INSERT INTO site_counters (site_id, bucket_start, shard, pageviews, visitors) VALUES (?, '2026-11-20 10:00:00', 0, 1, 1)",
        [siteId],
      );
      await database.query(
        "INSERT INTO site_day_values (site_id, dimension, day, value, pageviews, visitors) VALUES (?, 0, '2026-11-20', '', 1, 1)",
        [siteId],
      );
      await database.query(
        "INSERT INTO site_visitor_values (site_id, day, visitor_hash, dimension, value, batch) VALUES (?, '2026-11-20', 'aaaaaaaaaaaaaaaa', 0, '', 1)",
        [siteId],
      );
    }
    const unconfirmed = await run(['remove', 'example.com']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('Add --yes to remove it without asking');
    expect(await rows()).toHaveLength(2);

    const removed = await run(['remove', 'www.example.com', '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('site_events: deleted 1 (1 rows so far)');
    expect(removed.stdout).toContain('removed example.com and its 4 rows of recorded data');
    expect((await rows()).map((row) => row.domain)).toEqual(['other.example']);
    expect(await siteData(site?.id)).toEqual([0, 0, 0, 0]);
    // Another site's data is not touched.
    expect(await siteData(other?.id)).toEqual([1, 1, 1, 1]);

    const missing = await run(['remove', 'example.com', '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('example.com is not registered: npm run site -- list shows the sites');
  });

  it("registers and unregisters as the service's user, leaves the data to the purge, and says so", async () => {
    const url = await database.appUserUrl();
    const listed = await run(['list'], url);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('no sites registered yet: npm run site -- add example.com');
    expect((await run(['add', 'example.com'], url)).code).toBe(0);
    const [site] = await database.query<{ id: number }>("SELECT id FROM sites WHERE domain = 'example.com'");
    await database.query(
      "INSERT INTO site_events (site_id, occurred_at, path, browser, os, device, visitor_hash, is_bot) VALUES (?, NOW(3), '/', 'Chrome', 'Linux', 'desktop', 'aaaaaaaaaaaaaaaa', 0)",
      [site?.id],
    );
    const removed = await run(['remove', 'example.com', '--yes'], url);
    expect(removed.code).toBe(1);
    expect(removed.stdout).toContain('unregistered example.com: its page views are refused from now on');
    expect(removed.stderr).toContain('has its data deleted by the next npm run db:purge');
    expect(await rows()).toEqual([]);
    const events = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM site_events WHERE site_id = ?', [site?.id]);
    expect(Number(events[0]?.n)).toBe(1);
  });
});

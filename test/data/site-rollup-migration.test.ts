import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../db/paths';
import { applyMigrations } from '../../src/ops/migrate';
import { createTestDatabase, type TestDatabase } from '../support/database';

// 0005 builds the day figures and the visitor-value rows from the events 0004's tables hold, so
// a deployment that recorded page views before it keeps them in its figures.
describe('migration 0005 on page views recorded before it', () => {
  let database: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'vt-migrations-'));
    await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.slice(
      0,
      journal.entries.findIndex((entry) => entry.tag.startsWith('0005_')),
    );
    await writeFile(journalFile, JSON.stringify(journal));
    database = await createTestDatabase({ migrations: folder });
  });
  afterAll(async () => {
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it('rolls the recorded events up per day and value and remembers who was seen with what', async () => {
    await database.query(
      "INSERT INTO sites (id, domain, name, is_public, created_at) VALUES (7, 'example.com', 'Example', 0, '2026-11-01')",
    );
    const event = (at: string, path: string, visitor: string, referrer: string | null, isBot = 0) => [
      7,
      at,
      path,
      referrer,
      'Chrome',
      'Windows',
      'desktop',
      visitor,
      isBot,
    ];
    const rows = [
      event('2026-11-20 08:00:00', '/a', 'aaaaaaaaaaaaaaaa', 'news.example'),
      event('2026-11-20 09:00:00', '/a', 'aaaaaaaaaaaaaaaa', null),
      event('2026-11-20 10:00:00', '/b', 'bbbbbbbbbbbbbbbb', null),
      event('2026-11-21 10:00:00', '/a', 'cccccccccccccccc', null),
      event('2026-11-20 10:00:00', '/a', 'dddddddddddddddd', null, 1),
    ];
    await database.query(
      'INSERT INTO site_events (site_id, occurred_at, path, referrer_host, browser, os, device, visitor_hash, is_bot) VALUES ?',
      [rows],
    );
    await database.query(
      "INSERT INTO site_day_visitors (site_id, day, visitor_hash) VALUES (7, '2026-11-20', 'aaaaaaaaaaaaaaaa'), (7, '2026-11-20', 'bbbbbbbbbbbbbbbb'), (7, '2026-11-21', 'cccccccccccccccc')",
    );

    await applyMigrations(database.settings, () => {});

    const figures = await database.query<{ dimension: number; day: string; value: string; pageviews: number; visitors: number }>(
      "SELECT dimension, DATE_FORMAT(day, '%Y-%m-%d') AS day, value, pageviews, visitors FROM site_day_values WHERE dimension IN (0, 1, 2, 6) ORDER BY dimension, day, value",
    );
    expect(
      figures.map((row) => [Number(row.dimension), row.day, row.value, Number(row.pageviews), Number(row.visitors)]),
    ).toEqual([
      [0, '2026-11-20', '', 3, 2],
      [0, '2026-11-21', '', 1, 1],
      [1, '2026-11-20', '/a', 2, 1],
      [1, '2026-11-20', '/b', 1, 1],
      [1, '2026-11-21', '/a', 1, 1],
      [2, '2026-11-20', 'news.example', 1, 1],
      [6, '2026-11-20', 'Chrome', 3, 2],
      [6, '2026-11-21', 'Chrome', 1, 1],
    ]);
    const seen = await database.query<{ visitor_hash: string; dimension: number; value: string }>(
      "SELECT visitor_hash, dimension, value FROM site_visitor_values WHERE day = '2026-11-20' ORDER BY visitor_hash, dimension, value",
    );
    expect(seen.map((row) => [row.visitor_hash.slice(0, 1), Number(row.dimension), row.value])).toEqual([
      ['a', 0, ''],
      ['a', 1, '/a'],
      ['a', 2, 'news.example'],
      ['b', 0, ''],
      ['b', 1, '/b'],
    ]);
    const [sites] = await database.query<{ time_zone: string }>('SELECT time_zone FROM sites');
    expect(sites?.time_zone).toBe('UTC');
    expect(await database.query("SHOW TABLES LIKE 'site_day_visitors'")).toEqual([]);
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { findDatabaseServerBinary, localDatabasePaths, startLocalDatabase } from '../../src/dev/local-database';

const TIMEOUT_MS = 120_000;

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isProcessAlive(pid);
}

async function queryOne(url: string, sql: string): Promise<Record<string, unknown>> {
  const connection = await mysql.createConnection(url);
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
    return rows[0] ?? {};
  } finally {
    await connection.end();
  }
}

describe.skipIf(findDatabaseServerBinary() === undefined)('startLocalDatabase', () => {
  it(
    'starts a utf8mb4/UTC server, reuses it on the same data dir, and stops it',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'visit-tracker-local-db-'));
      const logLines: string[] = [];
      let pid: number | undefined;
      try {
        const first = await startLocalDatabase({
          dataDir,
          port: 0,
          database: 'visit_tracker_test',
          log: (line) => logLines.push(line),
        });
        pid = Number.parseInt(await readFile(localDatabasePaths(dataDir).pidFile, 'utf8'), 10);
        expect(first.port).toBeGreaterThan(0);
        expect(first.url).toBe(`mysql://visit_tracker:visit_tracker_local@127.0.0.1:${first.port}/visit_tracker_test`);
        expect(logLines.some((line) => line.includes('initialising data directory'))).toBe(true);

        const settings = await queryOne(
          first.url,
          'SELECT @@character_set_server AS charset, @@global.time_zone AS globalZone, @@time_zone AS sessionZone, DATABASE() AS db',
        );
        expect(settings).toEqual({
          charset: 'utf8mb4',
          globalZone: '+00:00',
          sessionZone: '+00:00',
          db: 'visit_tracker_test',
        });

        const connection = await mysql.createConnection(first.url);
        try {
          await connection.query('CREATE TABLE emoji (text VARCHAR(20)) CHARACTER SET utf8mb4');
          await connection.query('INSERT INTO emoji VALUES (?)', ['hi 🦄']);
          const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT text FROM emoji');
          expect(rows[0]?.text).toBe('hi 🦄');
        } finally {
          await connection.end();
        }

        const rootSettings = await queryOne(first.rootUrl, 'SELECT CURRENT_USER() AS user');
        expect(String(rootSettings.user)).toMatch(/^root@/);

        const second = await startLocalDatabase({ dataDir, port: 0, database: 'visit_tracker_test' });
        expect(second.port).toBe(first.port);
        await second.stop(); // reused: must leave the server running
        expect(isProcessAlive(pid)).toBe(true);

        await first.stop();
        expect(await waitUntilGone(pid, 10_000)).toBe(true);
      } finally {
        if (pid !== undefined && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findDatabaseServerBinary,
  type LocalDatabase,
  localDatabasePaths,
  startLocalDatabase,
} from '../../src/dev/local-database';
import { waitFor } from '../support/server';
import { type ServiceProcess, startServiceProcess } from '../support/service-process';

/**
 * The database server itself killed with SIGKILL under load and started again, on a private
 * server of this test's own (the shared test server cannot be killed): every GET / answered 2xx
 * is in the table afterwards, the process never exits, and it serves again within 3 s.
 */

const DATABASE = 'faults_killed';

describe.skipIf(findDatabaseServerBinary() === undefined)('the database killed under load', () => {
  let dataDir: string;
  let database: LocalDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'visit-tracker-killed-'));
    database = await startLocalDatabase({ dataDir, port: 0, database: DATABASE });
    service = await startServiceProcess({
      DATABASE_URL: database.url,
      MIGRATE_ON_START: 'true',
      DB_REQUEST_TIMEOUT_MS: '2000',
      DB_CONNECT_TIMEOUT_MS: '1000',
      HEALTH_TIMEOUT_MS: '500',
    });
  }, 120_000);
  afterAll(async () => {
    if (service !== undefined && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await database?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged visit, and recovers within 3 s of the restart', async () => {
    const answers: { id: string; status: number }[] = [];
    let running = true;
    let next = 0;
    const deadline = Date.now() + 40_000;
    const loops = Array.from({ length: 8 }, async () => {
      while (running && Date.now() < deadline) {
        const id = `killed-${next++}`;
        try {
          const response = await fetch(`${service.url}/`, {
            headers: { 'x-request-id': id },
            signal: AbortSignal.timeout(5_000),
          });
          await response.arrayBuffer();
          answers.push({ id, status: response.status });
        } catch {
          answers.push({ id, status: 0 });
        }
      }
    });
    try {
      await waitFor('load before the kill', () => answers.filter((answer) => answer.status === 200).length >= 300, 20_000);
      const pid = Number((await readFile(localDatabasePaths(dataDir).pidFile, 'utf8')).trim());
      process.kill(pid, 'SIGKILL');
      await waitFor('refusals while it is down', () => answers.some((answer) => answer.status === 503), 10_000);
      database = await startLocalDatabase({ dataDir, port: database.port, database: DATABASE });
      const restarted = performance.now();
      const servedAfter = answers.length;
      await waitFor('GET / served again', () => answers.slice(servedAfter).some((answer) => answer.status === 200), 10_000);
      expect(performance.now() - restarted).toBeLessThan(3_000);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(service.child.exitCode).toBeNull();
    const statuses = new Set(answers.map((answer) => answer.status));
    // Served, or refused with 503 while the database was gone: never a 500, never a dropped connection.
    expect([...statuses].sort()).toEqual([200, 503]);
    const acknowledged = answers.filter((answer) => answer.status === 200).map((answer) => answer.id);
    const connection = await mysql.createConnection(database.url);
    try {
      const [rows] = await connection.query('SELECT request_id FROM visits WHERE request_id IN (?)', [acknowledged]);
      const stored = new Set((rows as { request_id: string }[]).map((row) => row.request_id));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await connection.end();
    }
  }, 90_000);
});

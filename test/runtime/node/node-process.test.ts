import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { getJson, waitFor } from '../../support/server';
import { startServiceProcess } from '../../support/service-process';

describe('graceful shutdown', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('finishes a request in flight after SIGTERM, refuses new connections and exits 0', async () => {
    const service = await startServiceProcess({
      DATABASE_URL: database.url,
      SERVER_ID: 'draining',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const blocker = await mysql.createConnection({ uri: database.url });
    try {
      // Hold the visits table so the next visit stays in flight until we let go.
      await blocker.query('LOCK TABLES visits WRITE');
      const inFlight = fetch(`${service.url}/`).then(async (response) => ({
        status: response.status,
        body: await response.text(),
      }));
      await waitFor('the visit to be waiting for the table lock', async () => {
        const [rows] = await blocker.query('SHOW FULL PROCESSLIST');
        return (rows as { Info: string | null }[]).some((row) => /insert into `visits`/i.test(row.Info ?? ''));
      });

      service.child.kill('SIGTERM');
      await waitFor('the listener to close', async () => {
        try {
          await fetch(`${service.url}/health/live`, { signal: AbortSignal.timeout(1_000) });
          return false;
        } catch {
          return true;
        }
      });
      await blocker.query('UNLOCK TABLES');

      const finished = await inFlight;
      expect(finished.status).toBe(200);
      expect(finished.body).toContain('id="served-by">draining<');
      expect(await service.exited).toBe(0);
      expect(service.output()).toContain('SIGTERM: no new connections');
      const [rows] = await blocker.query("SELECT COUNT(*) AS n FROM visits WHERE server_id = 'draining'");
      expect(Number((rows as { n: number }[])[0]?.n)).toBe(1);
    } finally {
      await blocker.end();
      service.child.kill('SIGKILL');
    }
  });
});

describe('npm start with a .env file', () => {
  let database: TestDatabase;
  let directory: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    directory = await mkdtemp(join(tmpdir(), 'visit-tracker-dotenv-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
    await database?.drop();
  });

  it('reads .env from where it runs, and a variable set in the environment wins over the file', async () => {
    await writeFile(
      join(directory, '.env'),
      [
        '# as copied from .env.example',
        `DATABASE_URL=${database.url}`,
        'SERVER_ID=from-dotenv',
        'APP_TIMEZONE=Asia/Tokyo',
        '',
      ].join('\n'),
    );
    const service = await startServiceProcess({ APP_TIMEZONE: 'Europe/Paris' }, 60_000, { cwd: directory });
    try {
      expect((await getJson(`${service.url}/info`)).body).toMatchObject({ server_id: 'from-dotenv' });
      expect((await getJson(`${service.url}/api/stats`)).body).toMatchObject({ timezone: 'Europe/Paris' });
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it('starts without one', async () => {
    const service = await startServiceProcess({ DATABASE_URL: database.url, SERVER_ID: 'no-dotenv' }, 60_000, {
      cwd: await mkdtemp(join(directory, 'empty-')),
    });
    try {
      expect((await getJson(`${service.url}/info`)).body).toMatchObject({ server_id: 'no-dotenv' });
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});

describe('npm start without a database configured', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'visit-tracker-start-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a private database, migrates it, serves, and keeps the data across restarts', async () => {
    const first = await startServiceProcess({ DATA_DIR: dataDir, SERVER_ID: 'zero-setup' }, 120_000);
    try {
      expect(first.output()).toContain('no DATABASE_URL: using a private database server');
      expect(first.output()).toMatch(/migrations: applied \d+/);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
      expect((await fetch(`${first.url}/`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);

    const second = await startServiceProcess({ DATA_DIR: dataDir, SERVER_ID: 'zero-setup' }, 120_000);
    try {
      expect(second.output()).toMatch(/migrations: applied 0/);
      const stats = (await (await fetch(`${second.url}/api/stats`)).json()) as { total: number };
      expect(stats.total).toBe(1);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toBe(0);
  }, 240_000);

  it('refuses to run without a database in production, saying what to set', async () => {
    await expect(
      startServiceProcess({ DATA_DIR: dataDir, APP_ENV: 'production', ADMIN_TOKEN: 'node-process-admin-token-0123456789ab' }),
    ).rejects.toThrow(/DATABASE_URL/);
  });

  it('refuses to run in production without ADMIN_TOKEN, saying how to make one and where to put it', async () => {
    await expect(startServiceProcess({ DATA_DIR: dataDir, APP_ENV: 'production' })).rejects.toThrow(
      /ADMIN_TOKEN: required when APP_ENV=production: .*openssl rand -hex 32.*wrangler secret put ADMIN_TOKEN/,
    );
  });

  it('stops with a message naming a bad variable', async () => {
    await expect(startServiceProcess({ DATA_DIR: dataDir, PORT: 'eighty' })).rejects.toThrow(/PORT: expected a whole number/);
  });
});

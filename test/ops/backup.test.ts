import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isBackupFileOf } from '../../src/ops/backup/files';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestServer, type TestServer, waitFor } from '../support/server';

/**
 * `npm run db:backup` and `npm run db:restore` as a user runs them: the real CLIs as child
 * processes, the real dump and client programs, a real server. Visits are recorded over HTTP
 * by the app itself, so the backup holds what production would hold.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI_TIMEOUT_MS = 60_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI without npm, with only the variables given (the caller's database settings stripped). */
function runCli(name: 'db-backup' | 'db-restore', args: string[], env: Record<string, string>): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|DB_|BACKUP_|DATA_DIR$)/.test(key)),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', `src/ops/cli/${name}.ts`, ...args], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${CLI_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, CLI_TIMEOUT_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every table's and view's rows (order-independent) and every table's definition. */
async function snapshot(admin: mysql.Connection, database: string): Promise<Record<string, unknown>> {
  const [tables] = await admin.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  const result: Record<string, unknown> = {};
  for (const { name, type } of tables as { name: string; type: string }[]) {
    const target = `${mysql.escapeId(database)}.${mysql.escapeId(name)}`;
    const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT * FROM ${target}`);
    const definition =
      type === 'VIEW'
        ? 'view'
        : ((await admin.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE ${target}`))[0][0]?.['Create Table'] as string);
    result[name] = { type, definition, rows: rows.map((row) => JSON.stringify(row)).sort() };
  }
  return result;
}

function userUrl(base: string, database: string, user: string, password: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

let database: TestDatabase;
let server: TestServer;
let admin: mysql.Connection;
let adminUrl: string;
let workDir: string;
const suffix = randomBytes(4).toString('hex');
const restoredName = `vt_restored_${suffix}`;
const composeRestoredName = `vt_restored_compose_${suffix}`;
// A least-privilege backup user, as compose.yml's (minus MySQL's SHOW_ROUTINE, which MariaDB
// lacks), with a password that needs escaping in the client's option file.
const backupUser = { user: `vt_backup_${suffix}`, password: `p"a\\ss #w'rd; x` };
// The same, without SHOW VIEW: its dump fails at the view, after the tables were written.
const noViewUser = { user: `vt_noview_${suffix}`, password: 'no-view' };
const accounts = [backupUser, noViewUser].flatMap(({ user }) =>
  ['%', 'localhost'].map((host) => `${mysql.escape(user)}@${mysql.escape(host)}`),
);

beforeAll(async () => {
  database = await createTestDatabase();
  adminUrl = inject('databaseAdminUrl');
  admin = await mysql.createConnection({ uri: adminUrl, timezone: 'Z', supportBigNumbers: true, charset: 'UTF8MB4_UNICODE_CI' });
  workDir = await mkdtemp(join(tmpdir(), 'visit-tracker-backup-test-'));
  // The peer is loopback; X-Forwarded-For from it is believed, so a test can visit from IPv6.
  server = await startTestServer(database, { env: { SERVER_ID: 'backup-test', TRUST_PROXY: 'loopback' } });
  for (const [index, account] of accounts.entries()) {
    const { user, password } = index < 2 ? backupUser : noViewUser;
    await admin.query(`CREATE USER ${account} IDENTIFIED BY ${mysql.escape(password)}`);
    const privileges = user === backupUser.user ? 'SELECT, SHOW VIEW, TRIGGER' : 'SELECT';
    await admin.query(`GRANT ${privileges} ON ${mysql.escapeId(database.name)}.* TO ${account}`);
  }
});

afterAll(async () => {
  await server?.stop();
  for (const account of accounts) await admin?.query(`DROP USER IF EXISTS ${account}`);
  for (const name of [restoredName, composeRestoredName]) await admin?.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
  await admin?.end();
  await database?.drop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('npm run db:backup and db:restore', () => {
  const visitors = [
    { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) 🦊 Firefox/140.0 𝄞', 'x-forwarded-for': '2001:db8::7' },
    { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': '203.0.113.9' },
    { 'user-agent': 'Ünïcödé テスト 😀😀', 'x-forwarded-for': '2001:db8:0:0:1::1' },
  ];
  let backupFile: string;

  it('writes a gzipped dump of every table, the view and the migration history, and restores it row for row', async () => {
    for (const { 'user-agent': userAgent, ...headers } of visitors) {
      // A browser sends the user agent's UTF-8 bytes; fetch takes header values one byte per character.
      const rawUserAgent = Buffer.from(userAgent, 'utf8').toString('latin1');
      const response = await fetch(`${server.url}/`, { headers: { ...headers, 'user-agent': rawUserAgent } });
      expect(response.status).toBe(200);
    }
    const [stored] = await admin.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS visits FROM ${mysql.escapeId(database.name)}.visits WHERE user_agent LIKE '%🦊%' AND ip_address = '2001:db8::7'`,
    );
    expect(stored[0]?.visits).toBe(1);

    const backupDir = join(workDir, 'backups');
    const backup = await runCli('db-backup', [], {
      DATABASE_URL: userUrl(adminUrl, database.name, backupUser.user, backupUser.password),
      BACKUP_DIR: backupDir,
    });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const files = await filesIn(backupDir);
    expect(files).toHaveLength(1);
    const [name] = files as [string];
    expect(isBackupFileOf(database.name, name)).toBe(true);
    expect(name).toMatch(/^vt_test_[0-9a-f]+-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.sql\.gz$/);
    backupFile = join(backupDir, name);
    expect(backup.stdout).toContain(`wrote ${join(backupDir, name).replace(`${ROOT}/`, '')}`);
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600);

    const sql = gunzipSync(await readFile(backupFile)).toString('utf8');
    for (const table of ['__drizzle_migrations', 'visits', 'visit_counters', 'bucket_visitors']) {
      expect(sql).toContain(`CREATE TABLE \`${table}\``);
    }
    expect(sql).toMatch(/VIEW `visit_stats`/);
    expect(sql).not.toMatch(/CREATE DATABASE|^USE /m);
    expect(sql).toContain('🦊');

    await admin.query(`CREATE DATABASE ${mysql.escapeId(restoredName)} CHARACTER SET utf8mb4`);
    const restore = await runCli('db-restore', [backupFile], { DATABASE_URL: userUrl(adminUrl, restoredName, 'root', '') });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    const original = await snapshot(admin, database.name);
    const journal = JSON.parse(await readFile(join(ROOT, 'db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(restore.stdout).toContain(`restored ${Object.keys(original).length} tables and views in `);
    expect(restore.stdout).toContain(`s; ${journal.entries.length} migration(s) applied, as in the backup`);
    expect(Object.keys(original)).toEqual(
      expect.arrayContaining(['__drizzle_migrations', 'bucket_visitors', 'visit_counters', 'visit_stats', 'visits']),
    );
    expect(await snapshot(admin, restoredName)).toEqual(original);
    // The view reads the restored database's tables, not the original's.
    const [view] = await admin.query<mysql.RowDataPacket[]>(`SHOW CREATE VIEW ${mysql.escapeId(restoredName)}.visit_stats`);
    expect(String(view[0]?.['Create View'])).not.toContain(database.name);
  });

  it('refuses to restore into a database that has tables, saying how to get an empty one', async () => {
    const before = await snapshot(admin, restoredName);
    const restore = await runCli('db-restore', [backupFile], { DATABASE_URL: userUrl(adminUrl, restoredName, 'root', '') });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`refusing to restore: ${restoredName}`);
    expect(restore.stderr).toContain(`is not empty (${Object.keys(before).length} tables and views`);
    expect(restore.stderr).toContain('CREATE DATABASE');
    expect(await snapshot(admin, restoredName)).toEqual(before);
  });

  it('says how to create the database when it does not exist, and what to pass when no file is given', async () => {
    const missing = await runCli('db-restore', [backupFile], {
      DATABASE_URL: userUrl(adminUrl, `${restoredName}_nope`, 'root', ''),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Create it empty first: CREATE DATABASE \`${restoredName}_nope\` CHARACTER SET utf8mb4`);
    const noFile = await runCli('db-restore', [], { DATABASE_URL: userUrl(adminUrl, restoredName, 'root', '') });
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('expected exactly one argument, the backup to restore');
  });

  it('keeps the newest BACKUP_RETENTION backups of the database and leaves every other file alone', async () => {
    const dir = join(workDir, 'retention');
    const old = [1, 2, 3, 4, 5].map((day) => `${database.name}-2020-01-0${day}T00-00-00Z.sql.gz`);
    const others = [
      'notes.txt',
      `${database.name}-manual.sql.gz`,
      `${database.name}-2019-01-01T00-00-00Z.sql.gz.partial`,
      `${database.name}-2019-01-01T00-00-00Z.sql`,
      `other_db-2019-01-01T00-00-00Z.sql.gz`,
    ];
    await mkdir(dir, { recursive: true });
    for (const name of [...old, ...others]) await writeFile(join(dir, name), 'not a real backup');

    const backup = await runCli('db-backup', [], {
      DATABASE_URL: userUrl(adminUrl, database.name, 'root', ''),
      BACKUP_DIR: dir,
      BACKUP_RETENTION: '3',
    });
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`pruned 3 old backup(s), keeping the newest 3: ${old.slice(0, 3).join(', ')}`);
    const remaining = await filesIn(dir);
    const backups = remaining.filter((name) => isBackupFileOf(database.name, name));
    expect(backups).toHaveLength(3);
    expect(backups.slice(0, 2)).toEqual(old.slice(3));
    expect(backups[2]).toMatch(new RegExp(`^${database.name}-20[2-9]\\d-`));
    expect(remaining.filter((name) => !isBackupFileOf(database.name, name))).toEqual([...others].sort());
  });

  describe('a failed backup', () => {
    const noBackupLeft = async (dir: string) => {
      const left = await filesIn(dir).catch(() => []);
      expect(left.filter((name) => isBackupFileOf(database.name, name) || name.endsWith('.partial'))).toEqual([]);
    };

    it('with a wrong password exits non-zero, names the cause and what to do, and writes nothing', async () => {
      const dir = join(workDir, 'wrong-password');
      const backup = await runCli('db-backup', [], {
        DATABASE_URL: userUrl(adminUrl, database.name, backupUser.user, 'wrong'),
        BACKUP_DIR: dir,
      });
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain('Access denied');
      expect(backup.stderr).toContain('Check DATABASE_URL');
      await noBackupLeft(dir);
    });

    it('when the dump program fails midway exits non-zero with its error, and deletes the partial file', async () => {
      const dir = join(workDir, 'no-show-view');
      const backup = await runCli('db-backup', [], {
        DATABASE_URL: userUrl(adminUrl, database.name, noViewUser.user, noViewUser.password),
        BACKUP_DIR: dir,
      });
      expect(backup.code).toBe(1);
      expect(backup.stdout).toContain('.sql.gz.partial');
      expect(backup.stderr).toMatch(/failed \(exit code \d+\); no backup was written/);
      expect(backup.stderr).toContain('SHOW VIEW');
      expect(backup.stderr).toContain('run again');
      await noBackupLeft(dir);
    });

    it('with a bad BACKUP_RETENTION stops before doing anything, naming the variable', async () => {
      const dir = join(workDir, 'bad-retention');
      const backup = await runCli('db-backup', [], {
        DATABASE_URL: userUrl(adminUrl, database.name, 'root', ''),
        BACKUP_DIR: dir,
        BACKUP_RETENTION: 'all',
      });
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain('BACKUP_RETENTION: expected a whole number of backups to keep');
      await noBackupLeft(dir);
    });
  });
});

/** deploy/db/backup.sh as compose.yml's backup service runs it, until it has printed `until`, then SIGTERM. */
async function runComposeBackupScript(
  env: Record<string, string>,
  until: RegExp,
): Promise<{ output: string; code: number | null }> {
  // This machine's mysqldump is MariaDB's, which lacks MySQL's --set-gtid-purged.
  const shims = join(workDir, 'shims');
  await mkdir(shims, { recursive: true });
  await writeFile(
    join(shims, 'mysqldump'),
    [
      '#!/usr/bin/env bash',
      'args=()',
      'for a in "$@"; do [[ $a == --set-gtid-purged=* ]] || args+=("$a"); done',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
      'exec mariadb-dump "${args[@]}"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  // As compose.yml mounts it: a secret file, without a trailing newline (deploy/make-secrets.sh).
  const passwordFile = join(workDir, 'backup_password');
  await writeFile(passwordFile, backupUser.password, { mode: 0o644 });
  const url = new URL(adminUrl);
  const child = spawn('bash', ['deploy/db/backup.sh'], {
    cwd: ROOT,
    env: {
      PATH: `${shims}:${process.env.PATH ?? ''}`,
      BACKUP_DB_HOST: url.hostname,
      BACKUP_DB_PORT: url.port,
      BACKUP_DB_NAME: database.name,
      BACKUP_DB_USER: backupUser.user,
      BACKUP_DB_PASSWORD_FILE: passwordFile,
      BACKUP_INTERVAL_SECONDS: '3600',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    await waitFor(`the backup script to print ${until}`, () => until.test(output) || child.exitCode !== null, CLI_TIMEOUT_MS);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  return { output, code };
}

describe("compose.yml's backup service (deploy/db/backup.sh)", () => {
  it('backs up at once into a timestamped .sql.gz that restores row for row, prunes to BACKUP_RETENTION, and stops on SIGTERM', async () => {
    const dir = join(workDir, 'compose-backups');
    await mkdir(dir, { recursive: true });
    const old = [1, 2, 3].map((day) => `${database.name}-2020-01-0${day}T00-00-00Z.sql.gz`);
    for (const name of [...old, 'notes.txt']) await writeFile(join(dir, name), 'not a real backup');

    const run = await runComposeBackupScript({ BACKUP_FILES_DIR: dir, BACKUP_RETENTION: '2' }, /pruned .*2020-01-02/);
    expect(run.output).toMatch(/\[backup\] wrote .*\.sql\.gz/);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('[backup] stopping');
    const remaining = await filesIn(dir);
    const backups = remaining.filter((name) => isBackupFileOf(database.name, name));
    expect(backups).toHaveLength(2);
    expect(backups[0]).toBe(old[2]);
    expect(remaining).toContain('notes.txt');
    expect(remaining.filter((name) => name.endsWith('.partial'))).toEqual([]);

    await admin.query(`CREATE DATABASE ${mysql.escapeId(composeRestoredName)} CHARACTER SET utf8mb4`);
    const restore = await runCli('db-restore', [join(dir, backups[1] as string)], {
      DATABASE_URL: userUrl(adminUrl, composeRestoredName, 'root', ''),
    });
    expect(restore.code).toBe(0);
    expect(await snapshot(admin, composeRestoredName)).toEqual(await snapshot(admin, database.name));
  });

  it('reports a failed dump, leaves no file behind and keeps running for the next attempt', async () => {
    const dir = join(workDir, 'compose-failed');
    await mkdir(dir, { recursive: true });
    const wrongPassword = join(workDir, 'wrong_password');
    await writeFile(wrongPassword, 'wrong');
    const run = await runComposeBackupScript({ BACKUP_FILES_DIR: dir, BACKUP_DB_PASSWORD_FILE: wrongPassword }, /FAILED/);
    expect(run.output).toContain('Access denied');
    expect(run.output).toContain('[backup] FAILED: no backup written');
    expect(run.code).toBe(0);
    expect(await filesIn(dir)).toEqual([]);
  });

  it('refuses to start, saying what to run, when its password file cannot be read', async () => {
    const run = await runComposeBackupScript(
      { BACKUP_FILES_DIR: join(workDir, 'compose-unread'), BACKUP_DB_PASSWORD_FILE: join(workDir, 'no-such-secret') },
      /make-secrets/,
    );
    expect(run.output).toContain('BACKUP_DB_PASSWORD_FILE: cannot read');
    expect(run.output).toContain('sh deploy/make-secrets.sh');
    expect(run.code).toBe(1);
  });
});

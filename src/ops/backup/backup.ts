/**
 * `npm run db:backup`'s work: a consistent dump of one database, gzipped while it streams (memory
 * stays flat whatever the size), written to a `.partial` file that becomes a backup only once
 * the dump program exited 0 and the gzip stream finished; then old backups are pruned.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { DatabaseSettings } from '../../config/database';
import { MIGRATIONS_TABLE, mayListEvents, readMigrationHistory } from '../../data/backup-inspection';
import { type ClientProgram, findClientProgram, tlsArguments, writeDefaultsFile } from '../programs';
import { backupFileName, PARTIAL_SUFFIX, pruneBackups } from './files';
import { BackupCommandError, withInspectionConnection } from './inspection';
import { collectTail, waitForExit } from './program-output';
import { byteCounter, formatBytes, formatSeconds, throttled } from './progress';

export interface BackupOptions {
  settings: DatabaseSettings;
  dir: string;
  retention: number;
  log: (message: string) => void;
  /** Aborting kills the dump and removes the partial file. */
  signal?: AbortSignal;
  now?: Date;
}

export interface BackupResult {
  path: string;
  bytes: number;
  pruned: string[];
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const { settings, dir, log } = options;
  const program = await findClientProgram('dump');
  const includeEvents = await checkSource(settings, log);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, backupFileName(settings.database, options.now ?? new Date()));
  const partialPath = `${path}${PARTIAL_SUFFIX}`;
  if (await exists(path)) {
    throw new BackupCommandError(`${path} already exists (a backup started in the same second). Wait a second and run again.`);
  }

  log(`dumping ${settings.database} on ${settings.host}:${settings.port} with ${program.path} into ${display(partialPath)}`);
  const startedAt = Date.now();
  const defaults = await writeDefaultsFile(settings);
  let bytes: number;
  try {
    bytes = await dumpToFile(
      program,
      [defaults.argument, ...dumpArguments(program, settings, includeEvents)],
      partialPath,
      options,
    );
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  } finally {
    await defaults.remove();
  }
  await rename(partialPath, path);
  log(`wrote ${display(path)}: ${formatBytes(bytes)} in ${formatSeconds(Date.now() - startedAt)}`);

  const pruned = await pruneBackups(dir, settings.database, options.retention);
  log(
    pruned.length === 0
      ? `kept every backup of ${settings.database} (BACKUP_RETENTION=${options.retention})`
      : `pruned ${pruned.length} old backup(s), keeping the newest ${options.retention}: ${pruned.join(', ')}`,
  );
  return { path, bytes, pruned };
}

/** Fails early, before any file exists, on what would make a useless backup; returns whether events can be dumped. */
async function checkSource(settings: DatabaseSettings, log: (message: string) => void): Promise<boolean> {
  return withInspectionConnection(settings, async (query) => {
    const history = await readMigrationHistory(query);
    if (history.state === 'denied') {
      throw new BackupCommandError(
        `${settings.user} may not read ${MIGRATIONS_TABLE}, so the backup could not say which migration it is at ` +
          '(and the dump would silently leave out every table the user cannot see). Back up as a user that may read the ' +
          'whole database: the migration user (MIGRATE_USER), or a backup user with SELECT, SHOW VIEW and TRIGGER on it.',
      );
    }
    log(
      history.state === 'readable'
        ? `source: ${settings.database} has ${history.entries} migration(s) applied`
        : `source: ${settings.database} has no ${MIGRATIONS_TABLE} table (never migrated); backing it up as it is`,
    );
    const events = await mayListEvents(query, settings.database);
    if (!events)
      log(`${settings.user} lacks the EVENT privilege: the dump leaves out scheduled events (the schema defines none)`);
    return events;
  });
}

/**
 * One transaction's snapshot (InnoDB), no table locks; routines, triggers, views and Drizzle's
 * migration table included. No --databases: the dump carries no CREATE DATABASE or USE, so
 * it restores into whatever empty database the restore names.
 */
function dumpArguments(program: ClientProgram, settings: DatabaseSettings, includeEvents: boolean): string[] {
  return [
    '--single-transaction',
    '--quick',
    '--routines',
    '--triggers',
    ...(includeEvents ? ['--events'] : []),
    // Without it, MySQL 8.0.21+ wants the PROCESS privilege; the schema has no tablespaces of its own.
    '--no-tablespaces',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    // MySQL only: with GTIDs on, the default would add SET @@GLOBAL.gtid_purged (and need RELOAD).
    ...(program.flavour === 'mysql' ? ['--set-gtid-purged=OFF'] : []),
    ...tlsArguments(program, settings.tls),
    settings.database,
  ];
}

async function dumpToFile(program: ClientProgram, args: string[], partialPath: string, options: BackupOptions): Promise<number> {
  const child = spawn(program.path, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const stderr = collectTail(child.stderr);
  const exited = waitForExit(child);
  let dumped = 0;
  let written = 0;
  const report = throttled(() => options.log(`${formatBytes(dumped)} of SQL dumped, ${formatBytes(written)} written`));
  try {
    await pipeline(
      child.stdout,
      byteCounter((total) => {
        dumped = total;
        report();
      }),
      createGzip(),
      byteCounter((total) => {
        written = total;
      }),
      createWriteStream(partialPath, { mode: 0o600 }),
    );
  } catch (error) {
    // The file side failed (disk full, directory gone): stop the dump too.
    child.kill('SIGTERM');
    await exited.catch(() => undefined);
    throw new BackupCommandError(
      `writing ${partialPath} failed: ${error instanceof Error ? error.message : String(error)}. Check the space and permissions of BACKUP_DIR and run again.`,
    );
  }
  const exit = await exited;
  if (exit.code !== 0) {
    throw new BackupCommandError(
      `${program.path} failed (${exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`}); no backup was written.\n` +
        `${stderr().trim() || '(it printed nothing)'}\n` +
        'Fix the cause above (the user needs SELECT, SHOW VIEW and TRIGGER on the database) and run again.',
    );
  }
  await syncToDisk(partialPath);
  return written;
}

/** The rename must not publish a file whose bytes are still only in the page cache. */
async function syncToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function display(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

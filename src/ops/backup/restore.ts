/**
 * `npm run db:restore FILE`'s work: streams a backup (gzipped or plain SQL) through the
 * `mariadb`/`mysql` client into an empty database. It refuses a database that has any table
 * or view: a restore on top of data would mix two histories.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import mysql from 'mysql2/promise';
import type { DatabaseSettings } from '../../config/database';
import { listTables, readMigrationHistory } from '../../data/backup-inspection';
import { type ClientProgram, findClientProgram, tlsArguments, writeDefaultsFile } from '../programs';
import { BackupCommandError, withInspectionConnection } from './inspection';
import { collectTail, waitForExit } from './program-output';
import { byteCounter, formatBytes, formatSeconds, throttled } from './progress';

export interface BackupFile {
  path: string;
  size: number;
  gzipped: boolean;
}

export interface RestoreOptions {
  backup: BackupFile;
  settings: DatabaseSettings;
  log: (message: string) => void;
  /** What to tell the user when the target is not empty: how to get an empty one here. */
  emptyDatabaseHint: string;
  signal?: AbortSignal;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Checked before anything else starts: a mistyped path should not wait for a database. */
export async function openBackupFile(path: string): Promise<BackupFile> {
  return { path, size: await fileSize(path), gzipped: await isGzip(path) };
}

export async function restoreBackup(options: RestoreOptions): Promise<{ tables: number; migrations: number | undefined }> {
  const { backup, settings, log } = options;
  const { path: file, size } = backup;
  const program = await findClientProgram('client');
  await ensureEmpty(settings, options.emptyDatabaseHint);

  log(
    `restoring ${file} (${formatBytes(size)}) into ${settings.database} on ${settings.host}:${settings.port} with ${program.path}`,
  );
  const startedAt = Date.now();
  const defaults = await writeDefaultsFile(settings);
  try {
    await streamInto(program, [defaults.argument, ...clientArguments(program, settings)], options);
  } finally {
    await defaults.remove();
  }

  return withInspectionConnection(settings, async (query) => {
    const tables = (await listTables(query, settings.database)).length;
    const history = await readMigrationHistory(query);
    const migrations = history.state === 'readable' ? history.entries : undefined;
    log(
      `restored ${tables} tables and views in ${formatSeconds(Date.now() - startedAt)}; ` +
        (migrations === undefined
          ? 'the backup holds no migration history'
          : `${migrations} migration(s) applied, as in the backup`),
    );
    return { tables, migrations };
  });
}

async function fileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    return info.size;
  } catch (error) {
    throw new BackupCommandError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}. Give the path of a backup, e.g. npm run db:restore -- .data/backups/visit_tracker-2026-11-26T18-30-00Z.sql.gz`,
    );
  }
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

async function ensureEmpty(settings: DatabaseSettings, hint: string): Promise<void> {
  const tables = await withInspectionConnection(settings, (query) => listTables(query, settings.database));
  if (tables.length > 0) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw new BackupCommandError(
      `refusing to restore: ${settings.database} on ${settings.host}:${settings.port} is not empty (${tables.length} tables and views: ${shown}). ` +
        `A restore goes into an empty database only.\n${hint}`,
    );
  }
}

function clientArguments(program: ClientProgram, settings: DatabaseSettings): string[] {
  return ['--default-character-set=utf8mb4', ...tlsArguments(program, settings.tls), settings.database];
}

async function streamInto(program: ClientProgram, args: string[], options: RestoreOptions): Promise<void> {
  const { path: file, size, gzipped } = options.backup;
  const child = spawn(program.path, args, {
    stdio: ['pipe', 'ignore', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const stderr = collectTail(child.stderr);
  const exited = waitForExit(child);
  let read = 0;
  const report = throttled(() =>
    options.log(`${Math.floor((read / Math.max(size, 1)) * 100)}% (${formatBytes(read)} of ${formatBytes(size)} read)`),
  );
  const counter = byteCounter((total) => {
    read = total;
    report();
  });
  const streamed = gzipped
    ? pipeline(createReadStream(file), counter, createGunzip(), child.stdin)
    : pipeline(createReadStream(file), counter, child.stdin);
  // A client that stops early (an SQL error) closes its stdin: EPIPE here, the reason is in its output.
  const streamError = await streamed.then(
    () => undefined,
    (error: unknown) => error ?? new Error('unknown stream error'),
  );
  const exit = await exited;
  if (exit.code === 0 && streamError === undefined) return;
  const output = stderr().trim();
  const reason =
    exit.code !== 0
      ? `${program.path} failed (${exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`}):\n${output || '(it printed nothing)'}`
      : `reading ${file} failed: ${streamError instanceof Error ? streamError.message : String(streamError)} (is it a complete backup?)`;
  throw new BackupCommandError(
    `${reason}\n` +
      `${options.settings.database} now holds part of the backup. Drop and recreate it empty ` +
      `(DROP DATABASE ${mysql.escapeId(options.settings.database)}; CREATE DATABASE ${mysql.escapeId(options.settings.database)} CHARACTER SET utf8mb4;), ` +
      `fix the cause and run again.${/DEFINER|SUPER|SET USER|SET_ANY_DEFINER/i.test(output) ? ' The backup names the owner of its view (DEFINER): restore as that user or as an administrator.' : ''}`,
  );
}

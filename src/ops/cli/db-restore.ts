import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import type { DatabaseSettings } from '../../config/database';
import { databaseLocation } from '../../config/node';
import { localDataSettings } from '../../config/tools';
import { parseSettings } from '../../config/variables';
import { configuredOrPrivateDatabase } from '../../dev/private-database';
import { BackupCommandError } from '../backup/inspection';
import { openBackupFile, restoreBackup } from '../backup/restore';
import { processEnvironment } from '../environment';
import { reportBackupCommandFailure, stopOnSignals } from './backup-command';

/**
 * `npm run db:restore -- FILE`: loads a backup from `npm run db:backup` (or any mysqldump
 * output, gzipped or not) into DATABASE_URL (or DB_*, or npm start's private database), which
 * must be empty. docs/backups.md explains how to get an empty database.
 */
const progress = (message: string) => process.stdout.write(`[db:restore] ${message}\n`);

const abort = stopOnSignals();
try {
  const { positionals } = parseArgs({ options: {}, strict: true, allowPositionals: true });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw new BackupCommandError(
      'expected exactly one argument, the backup to restore: npm run db:restore -- .data/backups/visit_tracker-2026-11-26T18-30-00Z.sql.gz',
    );
  }
  const backup = await openBackupFile(file);
  const settings = parseSettings(processEnvironment(), { database: databaseLocation, local: localDataSettings });
  const target = await configuredOrPrivateDatabase({
    configured: settings.database,
    dataDir: settings.local.dataDir,
    log: progress,
  });
  try {
    await restoreBackup({
      backup,
      settings: target.settings,
      log: progress,
      emptyDatabaseHint: emptyDatabaseHint(target.settings, target.privateDataDir),
      signal: abort.signal,
    });
  } finally {
    await target.stop();
  }
} catch (error) {
  reportBackupCommandFailure('db:restore', error, abort.signal, '');
  process.exit(1);
}

/** How to get an empty database to restore into, for this kind of target. */
function emptyDatabaseHint(settings: DatabaseSettings, privateDataDir: string | undefined): string {
  if (privateDataDir !== undefined) {
    return (
      `To replace the private database of npm start: stop npm start, delete ${privateDataDir} (its data goes with it) and run ` +
      'npm run db:restore again, which starts a new, empty one. Or set DATABASE_URL to an empty database elsewhere.'
    );
  }
  const fresh = `${settings.database}_restored`.slice(0, 64);
  return (
    `Create an empty database and point DATABASE_URL (or DB_NAME) at it, e.g. CREATE DATABASE ${mysql.escapeId(fresh)} CHARACTER SET utf8mb4; ` +
    `then DATABASE_URL=mysql://USER:PASSWORD@${settings.host}:${settings.port}/${fresh} npm run db:restore -- FILE. ` +
    `(DROP DATABASE and CREATE DATABASE ${mysql.escapeId(settings.database)} would empty this one, deleting its data.)`
  );
}

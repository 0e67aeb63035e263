import { parseArgs } from 'node:util';
import { openBackupTarget } from '../backup-target';
import { BackupCommandError } from '../inspection-connection';
import { openBackupFile, restoreBackup } from '../restore';
import { reportBackupCommandFailure, stopOnSignals } from './backup-command';

/**
 * `npm run db:restore -- FILE`: loads a backup from `npm run db:backup` (or any mysqldump
 * output, gzipped or not) into DATABASE_URL (or DB_*, or npm start's private database), which
 * must be empty. README "Backups" explains how to get an empty database.
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
  const target = await openBackupTarget(process.env, progress);
  try {
    await restoreBackup({
      backup,
      settings: target.settings,
      log: progress,
      emptyDatabaseHint: target.emptyDatabaseHint,
      signal: abort.signal,
    });
  } finally {
    await target.stop();
  }
} catch (error) {
  reportBackupCommandFailure('db:restore', error, abort.signal, '');
  process.exit(1);
}

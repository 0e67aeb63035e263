import { parseArgs } from 'node:util';
import { createBackup } from '../backup';
import { parseBackupSettings } from '../backup-settings';
import { openBackupTarget } from '../backup-target';
import { reportBackupCommandFailure, stopOnSignals } from './backup-command';

/**
 * `npm run db:backup`: a consistent, gzipped dump of DATABASE_URL (or DB_*, or npm start's
 * private database) into BACKUP_DIR as <database>-<UTC time>.sql.gz, then keeps only the
 * newest BACKUP_RETENTION of them. README "Backups" explains restoring and scheduling.
 */
const progress = (message: string) => process.stdout.write(`[db:backup] ${message}\n`);

const abort = stopOnSignals();
try {
  parseArgs({ options: {}, strict: true, allowPositionals: false });
  const { dir, retention } = parseBackupSettings(process.env);
  const target = await openBackupTarget(process.env, progress);
  try {
    await createBackup({ settings: target.settings, dir, retention, log: progress, signal: abort.signal });
  } finally {
    await target.stop();
  }
} catch (error) {
  reportBackupCommandFailure('db:backup', error, abort.signal, 'No backup was written (a partial file is deleted).');
  process.exit(1);
}

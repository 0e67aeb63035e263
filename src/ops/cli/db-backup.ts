import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../../db/paths';
import { databaseLocation } from '../../config/node';
import { backupSettings, localDataSettings } from '../../config/tools';
import { parseSettings } from '../../config/variables';
import { configuredOrPrivateDatabase } from '../../dev/private-database';
import { createBackup } from '../backup/backup';
import { processEnvironment } from '../environment';
import { reportBackupCommandFailure, stopOnSignals } from './backup-command';

/**
 * `npm run db:backup`: a consistent, gzipped dump of DATABASE_URL (or DB_*, or npm start's
 * private database) into BACKUP_DIR as <database>-<UTC time>.sql.gz, then keeps only the
 * newest BACKUP_RETENTION of them. docs/backups.md explains restoring and scheduling.
 */
const progress = (message: string) => process.stdout.write(`[db:backup] ${message}\n`);

const abort = stopOnSignals();
try {
  parseArgs({ options: {}, strict: true, allowPositionals: false });
  const settings = parseSettings(processEnvironment(), {
    database: databaseLocation,
    local: localDataSettings,
    backup: backupSettings,
  });
  const target = await configuredOrPrivateDatabase({
    configured: settings.database,
    dataDir: settings.local.dataDir,
    log: progress,
  });
  try {
    await createBackup({
      settings: target.settings,
      // Relative: to the project, as DATA_DIR is.
      dir: resolve(PROJECT_ROOT, settings.backup.dir),
      retention: settings.backup.retention,
      log: progress,
      signal: abort.signal,
    });
  } finally {
    await target.stop();
  }
} catch (error) {
  reportBackupCommandFailure('db:backup', error, abort.signal, 'No backup was written (a partial file is deleted).');
  process.exit(1);
}

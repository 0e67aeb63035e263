import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Backup file names: `<database>-<UTC time>.sql.gz`, e.g. visit_tracker-2026-11-26T18-30-00Z.sql.gz.
 * Names of one database sort by time, so pruning needs no clock and no mtime. Only names of
 * exactly this shape are ever deleted: partial files, other databases' backups and anything
 * else in the directory are left alone.
 */

const TIMESTAMP_PATTERN = '\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z';
const SUFFIX = '.sql.gz';
export const PARTIAL_SUFFIX = '.partial';

/** The database name as a file-name prefix: anything but letters, digits, _ $ . - becomes _. */
function prefixFor(database: string): string {
  return database.replace(/[^A-Za-z0-9_$.-]/g, '_');
}

export function backupFileName(database: string, at: Date): string {
  const time = `${at.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
  return `${prefixFor(database)}-${time}${SUFFIX}`;
}

export function isBackupFileOf(database: string, fileName: string): boolean {
  const prefix = prefixFor(database).replace(/[$.]/g, '\\$&');
  return new RegExp(`^${prefix}-${TIMESTAMP_PATTERN}\\.sql\\.gz$`).test(fileName);
}

/** Deletes all but the newest `keep` backups of `database` in `dir`; returns the names deleted, oldest first. */
export async function pruneBackups(dir: string, database: string, keep: number): Promise<string[]> {
  const backups = (await readdir(dir)).filter((name) => isBackupFileOf(database, name)).sort();
  const doomed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const name of doomed) await rm(join(dir, name), { force: true });
  return doomed;
}

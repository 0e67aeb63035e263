import { readFile } from 'node:fs/promises';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import type mysql from 'mysql2/promise';
import { MIGRATIONS_FOLDER } from '../../db/paths';
import type { DatabaseSettings } from '../config/database';
import { driverErrorCode } from '../data/database';
import { openConnection } from './connection';

const LOCK_NAME = 'visit_tracker.migrations';
const LOCK_WAIT_SECONDS = 120;

/**
 * Applies pending Drizzle migrations over one direct connection (never a pool, never
 * Hyperdrive: the migrator uses prepared statements). Drizzle's migrator has no lock of
 * its own, so a named lock makes concurrent runs take turns; the second finds nothing to do.
 */
export async function applyMigrations(
  settings: DatabaseSettings,
  log: (message: string) => void,
  folder: string = MIGRATIONS_FOLDER,
): Promise<{ applied: number; latest: string | undefined }> {
  const journal = await readJournal(folder);
  const connection = await openConnection(settings);
  try {
    log(`migrations: waiting for the migration lock on ${settings.host}:${settings.port}/${settings.database}`);
    const [lockRows] = await connection.query('SELECT GET_LOCK(?, ?) AS locked', [LOCK_NAME, LOCK_WAIT_SECONDS]);
    if ((lockRows as { locked: number | null }[])[0]?.locked !== 1) {
      throw new Error(
        `Another migration has held the lock "${LOCK_NAME}" for ${LOCK_WAIT_SECONDS} s. Check for a stuck migration process and run npm run db:migrate again.`,
      );
    }
    const before = await appliedCount(connection);
    log(`migrations: ${before} of ${journal.entries.length} applied, applying the rest from ${folder}`);
    await migrate(drizzle({ client: connection }), { migrationsFolder: folder });
    const after = await appliedCount(connection);
    const latest = journal.entries.at(-1)?.tag;
    log(`migrations: applied ${after - before}, schema is at ${latest ?? '(none)'}`);
    return { applied: after - before, latest };
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => undefined);
    await connection.end();
  }
}

async function readJournal(folder: string): Promise<{ entries: { tag: string }[] }> {
  try {
    return JSON.parse(await readFile(`${folder}/meta/_journal.json`, 'utf8')) as { entries: { tag: string }[] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      `No migrations in ${folder} (meta/_journal.json is missing). Run from the project, or ship db/migrations beside dist/ as deploy/Dockerfile does.`,
    );
  }
}

async function appliedCount(connection: mysql.Connection): Promise<number> {
  try {
    const [rows] = await connection.query('SELECT COUNT(*) AS applied FROM `__drizzle_migrations`');
    return Number((rows as { applied: number }[])[0]?.applied ?? 0);
  } catch (error) {
    if (driverErrorCode(error) === 'ER_NO_SUCH_TABLE') return 0;
    throw error;
  }
}

import { driverErrorCode } from './database';

/**
 * The questions `npm run db:backup` and `npm run db:restore` ask a database before they start:
 * is it empty, can this user read the migration history, may it list events. The caller owns
 * the connection (these run once, from a CLI) and passes a function that runs one statement.
 * Every statement is valid on MySQL 8.4 and MariaDB 10.11.
 */

export type QueryRows = (sql: string, params?: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** Drizzle's migrator keeps its history in this table of the migrated database. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

/** Tables and views in `database` that this user can see. */
export async function listTables(query: QueryRows, database: string): Promise<string[]> {
  const rows = await query(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  return rows.map((row) => String(row.name));
}

export type MigrationHistory = { state: 'readable'; entries: number } | { state: 'missing' } | { state: 'denied' };

/** Whether the migration history is there and this user may read it (a backup without it restores to an unknown schema version). */
export async function readMigrationHistory(query: QueryRows): Promise<MigrationHistory> {
  try {
    const rows = await query(`SELECT COUNT(*) AS entries FROM \`${MIGRATIONS_TABLE}\``);
    return { state: 'readable', entries: Number(rows[0]?.entries ?? 0) };
  } catch (error) {
    const code = driverErrorCode(error);
    if (code === 'ER_NO_SUCH_TABLE') return { state: 'missing' };
    if (code === 'ER_TABLEACCESS_DENIED_ERROR') return { state: 'denied' };
    throw error;
  }
}

/** SHOW EVENTS needs the EVENT privilege, which a read-only backup user may lack; the dump then skips events. */
export async function mayListEvents(query: QueryRows, database: string): Promise<boolean> {
  try {
    await query(`SHOW EVENTS FROM \`${database.replace(/`/g, '``')}\``);
    return true;
  } catch (error) {
    const code = driverErrorCode(error);
    if (code === 'ER_DBACCESS_DENIED_ERROR' || code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR') return false;
    throw error;
  }
}

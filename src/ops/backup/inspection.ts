import mysql from 'mysql2/promise';
import type { DatabaseSettings } from '../../config/database';
import type { QueryRows } from '../../data/backup-inspection';
import { driverErrorCode } from '../../data/database';
import { openConnection } from '../connection';

/** A failure the backup CLIs explain themselves: printed without a stack trace. */
export class BackupCommandError extends Error {
  override name = 'BackupCommandError';
}

/** One short-lived connection for src/data/backup-inspection.ts's questions. */
export async function withInspectionConnection<T>(settings: DatabaseSettings, use: (query: QueryRows) => Promise<T>): Promise<T> {
  let connection: mysql.Connection;
  try {
    connection = await openConnection(settings);
  } catch (error) {
    const where = `${settings.database} on ${settings.host}:${settings.port} as ${settings.user}`;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackupCommandError(
      driverErrorCode(error) === 'ER_BAD_DB_ERROR'
        ? `the database ${where} does not exist (${reason}). Create it empty first: CREATE DATABASE ${mysql.escapeId(settings.database)} CHARACTER SET utf8mb4; then run again.`
        : `could not connect to ${where}: ${reason}. ` +
            'Check DATABASE_URL (or DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD) and that the server is running, then run again.',
    );
  }
  try {
    return await use(async (sql, params = []) => {
      const [rows] = await connection.query(sql, [...params]);
      return rows as Record<string, unknown>[];
    });
  } finally {
    await connection.end();
  }
}

import { randomBytes } from 'node:crypto';
import mysql, { type PoolConnection } from 'mysql2/promise';
import { inject } from 'vitest';
import { type DatabaseSettings, databaseSettingsFromUrl } from '../../src/config';
import type { Database } from '../../src/data/visits';
import { createNodeDatabase } from '../../src/runtime/node/database';
import { applyMigrations } from '../../src/runtime/node/migrate';

export interface TestDatabase {
  name: string;
  url: string;
  settings: DatabaseSettings;
  db: Database;
  /** Runs SQL directly, for arranging and checking database state. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A connection of its own, for session-scoped checks; release it when done. */
  connection(): Promise<PoolConnection>;
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test file's own on the shared test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = new URL(inject('databaseAdminUrl'));
  const name = `vt_test_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: adminUrl.toString(), timezone: 'Z' });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const settings = databaseSettingsFromUrl(url.toString());
  await applyMigrations(settings, () => {});
  const database = createNodeDatabase(settings, { size: 20, queueLimit: 1_000, connectTimeoutMs: 5_000 });
  return {
    name,
    url: url.toString(),
    settings,
    db: database.db,
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await database.pool.query(sql, params);
      return rows as T[];
    },
    connection: () => database.pool.getConnection(),
    async drop() {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

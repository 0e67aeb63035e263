import { randomBytes } from 'node:crypto';
import mysql, { type PoolConnection } from 'mysql2/promise';
import { inject } from 'vitest';
import { type DatabaseSettings, databaseSettingsFromUrl } from '../../src/config/database';
import type { Database, DatabaseHandle } from '../../src/data/database';
import { APP_PRIVILEGES } from '../../src/data/privileges';
import { createVisitDatabase, type VisitDatabase } from '../../src/data/visit-database';
import { applyMigrations } from '../../src/ops/migrate';
import { createNodePool } from '../../src/runtime/node/mysql-pool';

export interface TestDatabase {
  name: string;
  url: string;
  settings: DatabaseSettings;
  db: Database;
  /** The pool as the data layer takes it (drizzle, the driver, connections for transactions). */
  handle: DatabaseHandle;
  /** The service's statements (src/data) on this database. */
  visits: VisitDatabase;
  /** Runs SQL directly, for arranging and checking database state. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A connection of its own, for session-scoped checks; release it when done. */
  connection(): Promise<PoolConnection>;
  /**
   * A URL for a user that holds only what the service needs (APP_PRIVILEGES on this database's
   * tables, as production's app user does) and a password: workerd's Hyperdrive emulation
   * hangs on an empty one. Created on first call, dropped with the database.
   */
  appUserUrl(): Promise<string>;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of this test file's own on the shared test server. `migrations`:
 * another folder of migrations (a test of a migration applies the ones before it first).
 */
export async function createTestDatabase(options: { migrations?: string } = {}): Promise<TestDatabase> {
  const adminUrl = new URL(inject('databaseAdminUrl'));
  const name = `vt_test_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: adminUrl.toString(), timezone: 'Z' });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const settings = databaseSettingsFromUrl(url.toString());
  await applyMigrations(settings, () => {}, options.migrations);
  const database = createNodePool(settings, { size: 20, queueLimit: 1_000, connectTimeoutMs: 5_000 });
  // The app user is named after its database. '%' reaches the server from anywhere
  // (TEST_DATABASE_URL may be remote); 'localhost' too, because MySQL prefers an anonymous
  // ''@'localhost' account over 'user'@'%' for local clients.
  const appUserPassword = randomBytes(12).toString('hex');
  const appUserAccounts = ['%', 'localhost'].map((host) => `${mysql.escape(name)}@${mysql.escape(host)}`);
  let appUserCreated: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    settings,
    db: database.db,
    handle: database,
    visits: createVisitDatabase(database),
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await database.pool.query(sql, params);
      return rows as T[];
    },
    connection: () => database.pool.getConnection(),
    async appUserUrl() {
      appUserCreated ??= (async () => {
        for (const account of appUserAccounts) {
          await admin.query(`CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${mysql.escape(appUserPassword)}`);
          for (const [table, privileges] of Object.entries(APP_PRIVILEGES)) {
            await admin.query(`GRANT ${privileges.join(', ')} ON ${mysql.escapeId(name)}.${mysql.escapeId(table)} TO ${account}`);
          }
        }
      })();
      await appUserCreated;
      const userUrl = new URL(url);
      userUrl.username = name;
      userUrl.password = appUserPassword;
      return userUrl.toString();
    },
    async drop() {
      await database.close();
      if (appUserCreated !== undefined) {
        for (const account of appUserAccounts) await admin.query(`DROP USER IF EXISTS ${account}`);
      }
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

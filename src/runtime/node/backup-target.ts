import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { type DatabaseSettings, databaseSettingsFromUrl, parseConfig } from '../../config';
import { startLocalDatabase } from './local-database';
import { PROJECT_ROOT } from './project-root';

/** npm start's private database is always named this (src/runtime/node/main.ts). */
const LOCAL_DATABASE_NAME = 'visit_tracker';

export interface BackupTarget {
  settings: DatabaseSettings;
  /** How to get an empty database to restore into, for this kind of target. */
  emptyDatabaseHint: string;
  /** Stops the private database if this call started it; a no-op otherwise. */
  stop(): Promise<void>;
}

/**
 * The database the backup CLIs work on: DATABASE_URL or DB_* (parsed by src/config.ts), or
 * else the private database of `npm start` under DATA_DIR, started if it is not running (and
 * stopped again afterwards) as `npm run dev:edge` does.
 */
export async function openBackupTarget(
  env: Readonly<Record<string, string | undefined>>,
  log: (message: string) => void,
): Promise<BackupTarget> {
  const config = parseConfig(env, { serverId: 'db-backup' });
  if (config.database !== undefined) {
    return { settings: config.database, emptyDatabaseHint: configuredHint(config.database), stop: async () => {} };
  }
  const dataDir = join(resolve(PROJECT_ROOT, config.dataDir), 'mysql');
  log(`no DATABASE_URL: using the private database of npm start, data in ${dataDir}`);
  const local = await startLocalDatabase({ dataDir, port: 0, database: LOCAL_DATABASE_NAME, log });
  return {
    settings: databaseSettingsFromUrl(local.url),
    emptyDatabaseHint:
      `To replace the private database of npm start: stop npm start, delete ${dataDir} (its data goes with it) and run ` +
      'npm run db:restore again, which starts a new, empty one. Or set DATABASE_URL to an empty database elsewhere.',
    stop: () => local.stop(),
  };
}

function configuredHint(settings: DatabaseSettings): string {
  const fresh = `${settings.database}_restored`.slice(0, 64);
  return (
    `Create an empty database and point DATABASE_URL (or DB_NAME) at it, e.g. CREATE DATABASE ${mysql.escapeId(fresh)} CHARACTER SET utf8mb4; ` +
    `then DATABASE_URL=mysql://USER:PASSWORD@${settings.host}:${settings.port}/${fresh} npm run db:restore -- FILE. ` +
    `(DROP DATABASE and CREATE DATABASE ${mysql.escapeId(settings.database)} would empty this one, deleting its data.)`
  );
}

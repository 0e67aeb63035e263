import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../db/paths';
import { type DatabaseSettings, databaseSettingsFromUrl } from '../config/database';
import { startLocalDatabase } from './local-database';

/**
 * "Use the configured database, else the private one": the one recipe behind `npm start`,
 * `npm run dev`, `dev:edge`, `db:studio`, `db:backup`, `db:restore` and `npm run stack` on a
 * workstation. The private database is a MySQL-compatible server of this project's own under
 * DATA_DIR (src/dev/local-database.ts), always with this database name, so every command
 * finds the same data.
 */
export const PRIVATE_DATABASE_NAME = 'visit_tracker';

export interface ResolvedDatabase {
  settings: DatabaseSettings;
  /** Where the private server keeps its files, when it is the private one; undefined for a configured database. */
  privateDataDir: string | undefined;
  /** Stops the private server if this call started it; a no-op otherwise (it keeps serving whoever started it). */
  stop(): Promise<void>;
}

export interface ResolveOptions {
  /** DATABASE_URL or DB_*, as parsed (src/config/node.ts); undefined: none configured. */
  configured: DatabaseSettings | undefined;
  /** DATA_DIR (src/config/tools.ts); relative: to the project. */
  dataDir: string;
  log: (message: string) => void;
}

export async function configuredOrPrivateDatabase(options: ResolveOptions): Promise<ResolvedDatabase> {
  if (options.configured !== undefined) {
    return { settings: options.configured, privateDataDir: undefined, stop: async () => {} };
  }
  const dataDir = privateDataDir(options.dataDir);
  options.log(`no DATABASE_URL: using a private database server, data in ${dataDir} (delete it to start afresh)`);
  const local = await startLocalDatabase({ dataDir, port: 0, database: PRIVATE_DATABASE_NAME, log: options.log });
  options.log(`private database: ${local.url.replace(/:[^:@/]*@/, ':***@')}`);
  return { settings: databaseSettingsFromUrl(local.url), privateDataDir: dataDir, stop: () => local.stop() };
}

/** The private server's directory for a DATA_DIR setting. */
export function privateDataDir(dataDirSetting: string): string {
  return join(resolve(PROJECT_ROOT, dataDirSetting), 'mysql');
}

import mysql from 'mysql2/promise';
import type { DatabaseSettings } from '../config/database';
import { APP_PRIVILEGES } from '../data/privileges';
import { openConnection } from './connection';

/**
 * Grants the service's database user APP_PRIVILEGES on the tables the migrations created,
 * connected as the migration user (which holds GRANT OPTION on the schema). It runs after the
 * migrations because MySQL refuses a table-level grant on a table that does not exist yet
 * (unless the grant includes CREATE). Grants only add: a privilege dropped from APP_PRIVILEGES
 * later stays until revoked by hand, and so does one on a dropped table.
 */
export async function grantAppPrivileges(
  settings: DatabaseSettings,
  appUser: string,
  log: (message: string) => void,
): Promise<void> {
  // '%': any host. The account is reachable only from the database's private network
  // (compose.yml publishes no database port).
  const account = `${mysql.escape(appUser)}@'%'`;
  const connection = await openConnection(settings);
  try {
    for (const [table, privileges] of Object.entries(APP_PRIVILEGES)) {
      const target = `${mysql.escapeId(settings.database)}.${mysql.escapeId(table)}`;
      await connection.query(`GRANT ${privileges.join(', ')} ON ${target} TO ${account}`).catch((error: unknown) => {
        throw new Error(
          `could not grant ${privileges.join(', ')} on ${table} to ${account}: ${error instanceof Error ? error.message : String(error)}. ` +
            `The user must exist (deploy/db/init/01-users.sh creates it in Compose) and ${settings.user} needs GRANT OPTION on ${settings.database}.`,
        );
      });
    }
    log(`grants: ${account} holds ${describe()}`);
  } finally {
    await connection.end();
  }
}

function describe(): string {
  return Object.entries(APP_PRIVILEGES)
    .map(([table, privileges]) => `${privileges.join('/')} ${table}`)
    .join(', ');
}

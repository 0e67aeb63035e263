import { parseArgs } from 'node:util';
import { databaseLocation } from '../../config/node';
import { ConfigError, parseSettings } from '../../config/variables';
import { processEnvironment } from '../environment';
import { grantAppPrivileges } from '../grants';
import { applyMigrations } from '../migrate';

/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (a DDL-capable user).
 * `--grant-to USER` then grants that existing user exactly the privileges the service needs on
 * the migrated tables (src/data/privileges.ts); compose.yml's migrate service names the app's
 * user there. The migration user needs GRANT OPTION for that.
 */
const progress = (message: string) => process.stdout.write(`[db:migrate] ${message}\n`);

try {
  const { values } = parseArgs({ options: { 'grant-to': { type: 'string' } }, strict: true });
  const { database } = parseSettings(processEnvironment(), { database: databaseLocation });
  if (database === undefined) {
    throw new ConfigError([
      'DATABASE_URL: required, e.g. DATABASE_URL=mysql://migrator:secret@127.0.0.1:3306/visit_tracker npm run db:migrate (npm start migrates its private database by itself)',
    ]);
  }
  await applyMigrations(database, progress);
  const appUser = values['grant-to'];
  if (appUser !== undefined) await grantAppPrivileges(database, appUser, progress);
} catch (error) {
  process.stderr.write(`[db:migrate] ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write(
    '[db:migrate] Migrations already applied stay applied (MySQL DDL is not transactional). Fix the cause and run npm run db:migrate again.\n',
  );
  process.exit(1);
}

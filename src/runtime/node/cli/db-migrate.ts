import { hostname } from 'node:os';
import { ConfigError, parseConfig } from '../../../config';
import { applyMigrations } from '../migrate';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (a DDL-capable user). */
const progress = (message: string) => process.stdout.write(`[db:migrate] ${message}\n`);

try {
  const config = parseConfig(process.env, { serverId: hostname() });
  if (config.database === undefined) {
    throw new ConfigError([
      'DATABASE_URL: required, e.g. DATABASE_URL=mysql://migrator:secret@127.0.0.1:3306/visit_tracker npm run db:migrate (npm start migrates its private database by itself)',
    ]);
  }
  await applyMigrations(config.database, progress);
} catch (error) {
  process.stderr.write(`[db:migrate] ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write('[db:migrate] Migrations already applied stay applied (MySQL DDL is not transactional). Fix the cause and run npm run db:migrate again.\n');
  process.exit(1);
}

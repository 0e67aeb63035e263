import { parseArgs } from 'node:util';
import { databaseLocation } from '../../config/node';
import { retentionSettings } from '../../config/tools';
import { ConfigError, parseSettings } from '../../config/variables';
import { describeDriverError } from '../../data/database';
import { openDatabase } from '../connection';
import { processEnvironment } from '../environment';
import { runPurge } from '../purge';

/**
 * `npm run db:purge [-- --dry-run] [--batch-size N]`: deletes visits older than RETENTION_DAYS
 * whole days from DATABASE_URL, in batches. Run it as the migration user: the service's user
 * may not DELETE. Schedule it (cron, a Kubernetes CronJob, `docker compose run`) daily.
 */
const progress = (message: string) => process.stdout.write(`[db:purge] ${message}\n`);

let close: (() => Promise<void>) | undefined;
try {
  const { values } = parseArgs({
    options: { 'dry-run': { type: 'boolean', default: false }, 'batch-size': { type: 'string' } },
    strict: true,
  });
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) {
    throw new ConfigError([`--batch-size: expected a whole number from 1 to 100000 (got ${values['batch-size']})`]);
  }
  const settings = parseSettings(processEnvironment(), { database: databaseLocation, retention: retentionSettings });
  if (settings.database === undefined) {
    throw new ConfigError([
      'DATABASE_URL: required, e.g. DATABASE_URL=mysql://migrator:secret@127.0.0.1:3306/visit_tracker RETENTION_DAYS=400 npm run db:purge',
    ]);
  }
  // One connection: the batches run one after another.
  const database = await openDatabase(settings.database);
  close = database.close;
  await runPurge({
    db: database.db,
    retentionDays: settings.retention.retentionDays,
    now: new Date(),
    dryRun: values['dry-run'],
    batchSize,
    progress,
  });
  await database.close();
} catch (error) {
  await close?.().catch(() => {});
  process.stderr.write(`[db:purge] ${describeDriverError(error)}\n`);
  process.stderr.write(
    "[db:purge] Batches already deleted stay deleted; the rest is untouched. Run it as a user allowed to DELETE (the migration user, not the service's), fix the cause and run npm run db:purge again.\n",
  );
  process.exit(1);
}

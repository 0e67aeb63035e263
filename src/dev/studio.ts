import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../db/paths';
import { databaseUrlOf } from '../config/database';
import { describeDriverError } from '../data/database';
import { openConnection } from '../ops/connection';
import { runAgainstDatabase, runInForeground } from './workstation-command';

/**
 * `npm run db:studio`: Drizzle Studio on DATABASE_URL, or on the private database of
 * `npm start` when none is set (started if it is not running). Arguments go to drizzle-kit
 * studio (e.g. `-- --port 4984`); it exits with drizzle-kit's own status.
 */
// Its package exports no package.json; bin.cjs sits beside its main module.
const DRIZZLE_KIT = join(dirname(createRequire(import.meta.url).resolve('drizzle-kit')), 'bin.cjs');

runAgainstDatabase('db:studio', async (database) => {
  const { host, port, database: name, user } = database.settings;
  // drizzle-kit studio reports an unreachable database and still exits 0: ask first.
  try {
    const connection = await openConnection(database.settings);
    await connection.end();
  } catch (error) {
    process.stderr.write(
      `[db:studio] could not connect to ${name} on ${host}:${port} as ${user}: ${describeDriverError(error)}\n` +
        '[db:studio] Check DATABASE_URL (or unset it to use the private database of npm start) and run npm run db:studio again.\n',
    );
    return 1;
  }
  process.stdout.write(`[db:studio] Drizzle Studio on ${name} at ${host}:${port}; Ctrl-C stops it\n`);
  return runInForeground(process.execPath, [DRIZZLE_KIT, 'studio', ...process.argv.slice(2)], {
    cwd: PROJECT_ROOT,
    // drizzle.config.ts takes the database from DATABASE_URL.
    env: { ...process.env, DATABASE_URL: databaseUrlOf(database.settings) },
  });
});

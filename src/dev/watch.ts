import { PROJECT_ROOT } from '../../db/paths';
import { databaseUrlOf } from '../config/database';
import { runAgainstDatabase, runInForeground } from './workstation-command';

/**
 * `npm run dev`: `npm start` in watch mode. The server restarts whenever a file it loaded
 * changes (Node's --watch); the database stays: this process resolves it once (DATABASE_URL, or
 * the private one under DATA_DIR) and hands it to every restart, which migrates it first when it
 * is the private one, so a new migration applies on the next save.
 */
runAgainstDatabase('visit-tracker', (database) => {
  process.stdout.write('[visit-tracker] watching the files the server loads: it restarts on every change; Ctrl-C stops it\n');
  return runInForeground(
    process.execPath,
    ['--watch', '--watch-preserve-output', '--import', 'tsx', 'src/runtime/node/main.ts', ...process.argv.slice(2)],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrlOf(database.settings),
        ...(database.privateDataDir === undefined ? {} : { MIGRATE_ON_START: 'true' }),
      },
    },
  );
});

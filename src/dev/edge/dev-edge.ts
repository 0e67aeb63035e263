import { databaseUrlOf } from '../../config/database';
import { serviceSections } from '../../config/service';
import { ConfigError, variablesOf } from '../../config/variables';
import { applyMigrations } from '../../ops/migrate';
import { runAgainstDatabase } from '../workstation-command';
import { LOCAL_CONNECTION_STRING_VARIABLE, LOCAL_WORKER_DEFAULTS, runWrangler, withoutOverridden } from './wrangler';

/**
 * `npm run dev:edge`: the Worker in a local workerd (`wrangler dev --local`), with the same
 * database `npm start` uses behind its Hyperdrive binding. Without DATABASE_URL that is the
 * private server under DATA_DIR (started if it is not running, migrated); the two can run
 * side by side on the same data. Arguments go to wrangler dev and win over this script's
 * defaults (e.g. `-- --ip 0.0.0.0 --port 8788`), except `--migrate`, which migrates
 * DATABASE_URL first, as for `npm start`.
 */

const progress = (message: string) => process.stdout.write(`[visit-tracker] ${message}\n`);

/** The variables the Worker itself reads (its `vars`); the database comes from the binding. */
const WORKER_VARIABLES = variablesOf(serviceSections(''));

/** wrangler dev's options this script sets unless the user gives their own. */
const DEV_DEFAULTS = [
  { flag: '--local', unless: '--remote' },
  { flag: '--ip', value: '127.0.0.1' },
];

runAgainstDatabase('visit-tracker', async (database) => {
  const argv = process.argv.slice(2);
  const target = database.settings;
  if (target.password === '') {
    throw new ConfigError([
      'DB_PASSWORD: the Worker needs a database user with a password (workerd waits forever on an empty one); create one or use the private database (unset DATABASE_URL)',
    ]);
  }
  if (database.privateDataDir !== undefined || argv.includes('--migrate')) await applyMigrations(target, progress);
  progress(
    `starting the Worker in workerd against ${target.database} on ${target.host}:${target.port} as ${target.user} ` +
      '(connections go straight to the database: no Hyperdrive pooling or caching locally)',
  );
  const userArgs = argv.filter((arg) => arg !== '--migrate');
  const { code } = await runWrangler(['dev', ...withoutOverridden(DEV_DEFAULTS, userArgs), ...workerVariables(), ...userArgs], {
    env: { [LOCAL_CONNECTION_STRING_VARIABLE]: databaseUrlOf(target) },
    stdio: 'inherit',
    forwardSignals: true,
  });
  return code;
});

/**
 * APP_ENV is development and the local defaults apply (LOCAL_WORKER_DEFAULTS) unless set; the
 * Worker's other variables, when set here, reach it too.
 */
function workerVariables(): string[] {
  const variables: Record<string, string> = { APP_ENV: 'development', ...LOCAL_WORKER_DEFAULTS };
  for (const name of WORKER_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined && value !== '') variables[name] = value;
  }
  return Object.entries(variables).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}

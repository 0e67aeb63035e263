import { join, resolve } from 'node:path';
import {
  CONFIG_VARIABLES,
  ConfigError,
  DATABASE_LOCATION_VARIABLES,
  type DatabaseSettings,
  databaseSettingsFromUrl,
  parseConfig,
} from '../../../config';
import { DatabaseServerNotFoundError, type LocalDatabase, startLocalDatabase } from '../../node/local-database';
import { applyMigrations } from '../../node/migrate';
import { PROJECT_ROOT } from '../../node/project-root';
import { LOCAL_CONNECTION_STRING_VARIABLE, runWrangler } from './wrangler';

/**
 * `npm run dev:edge`: the Worker in a local workerd (`wrangler dev --local`), with the same
 * database `npm start` uses behind its Hyperdrive binding. Without DATABASE_URL that is the
 * private server under DATA_DIR (started if it is not running, migrated); the two can run
 * side by side on the same data. Arguments go to wrangler dev (e.g. `-- --port 8788`),
 * except `--migrate`, which migrates DATABASE_URL first, as for `npm start`.
 */

const LOCAL_DATABASE_NAME = 'visit_tracker';
/** Where the database comes from on this side; the Worker takes PORT and HOST from wrangler. */
const NOT_FOR_THE_WORKER = new Set<string>([...DATABASE_LOCATION_VARIABLES, 'PORT', 'HOST', 'DATA_DIR']);

const progress = (message: string) => process.stdout.write(`[visit-tracker] ${message}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const config = parseConfig(process.env, { serverId: 'dev-edge' });
  let local: LocalDatabase | undefined;
  let settings = config.database;
  if (settings === undefined) {
    local = await startPrivateDatabase(config.dataDir);
    settings = databaseSettingsFromUrl(local.url);
  }
  try {
    if (settings.password === '') {
      throw new ConfigError([
        'DB_PASSWORD: the Worker needs a database user with a password (workerd waits forever on an empty one); create one or use the private database (unset DATABASE_URL)',
      ]);
    }
    if (local !== undefined || argv.includes('--migrate')) await applyMigrations(settings, progress);
    progress(
      `starting the Worker in workerd against ${settings.database} on ${settings.host}:${settings.port} as ${settings.user} ` +
        '(connections go straight to the database: no Hyperdrive pooling or caching locally)',
    );
    const wranglerArgs = argv.filter((arg) => arg !== '--migrate');
    const { code } = await runWrangler(['dev', '--local', '--ip', '127.0.0.1', ...workerVariables(), ...wranglerArgs], {
      env: { [LOCAL_CONNECTION_STRING_VARIABLE]: connectionString(settings) },
      stdio: 'inherit',
      forwardSignals: true,
    });
    return code;
  } finally {
    // A no-op when the server was already running for npm start: it keeps serving that.
    await local?.stop();
  }
}

async function startPrivateDatabase(dataDirSetting: string): Promise<LocalDatabase> {
  const dataDir = join(resolve(PROJECT_ROOT, dataDirSetting), 'mysql');
  progress(`no DATABASE_URL: using the private database server of npm start, data in ${dataDir}`);
  return startLocalDatabase({ dataDir, port: 0, database: LOCAL_DATABASE_NAME, log: progress });
}

/** APP_ENV is development unless set; the service's other variables, when set here, reach the Worker too. */
function workerVariables(): string[] {
  const variables: Record<string, string> = { APP_ENV: 'development' };
  for (const name of CONFIG_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined && value !== '' && !NOT_FOR_THE_WORKER.has(name)) variables[name] = value;
  }
  return Object.entries(variables).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}

function connectionString(settings: DatabaseSettings): string {
  const user = encodeURIComponent(settings.user);
  const password = encodeURIComponent(settings.password);
  return `mysql://${user}:${password}@${settings.host}:${settings.port}/${encodeURIComponent(settings.database)}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DatabaseServerNotFoundError) {
      process.stderr.write(`[visit-tracker] ${error.message}\n`);
    } else {
      process.stderr.write(
        `[visit-tracker] dev:edge failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  },
);

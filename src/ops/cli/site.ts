import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { databaseLocation } from '../../config/node';
import { localDataSettings } from '../../config/tools';
import { ConfigError, parseSettings } from '../../config/variables';
import { describeDriverError, driverErrorCode } from '../../data/database';
import { DatabaseServerNotFoundError } from '../../dev/local-database';
import { configuredOrPrivateDatabase } from '../../dev/private-database';
import { openDatabase } from '../connection';
import { processEnvironment } from '../environment';
import { applyMigrations } from '../migrate';
import { parseDomainArgument, runSiteCommand, SITE_USAGE, type SiteCommand, SiteCommandError } from '../sites';

/**
 * `npm run site -- add|list|remove …`: the sites whose page views the service records, in
 * DATABASE_URL (or DB_*, or npm start's private database, migrated first). Against a configured
 * database run it as the migration user: the service's user may not delete a site's data.
 */
const say = (message: string) => process.stdout.write(`[site] ${message}\n`);

function parseCommand(argv: string[]): SiteCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      public: { type: 'boolean', default: false },
      tz: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, domain, ...extra] = positionals;
  if (extra.length > 0) throw new SiteCommandError(`unexpected argument "${extra[0]}"\n${SITE_USAGE}`);
  switch (action) {
    case 'add':
      return {
        kind: 'add',
        domain: parseDomainArgument(domain),
        name: values.name,
        isPublic: values.public,
        timeZone: values.tz,
      };
    case 'list':
      if (domain !== undefined) throw new SiteCommandError(`list takes no domain\n${SITE_USAGE}`);
      return { kind: 'list' };
    case 'remove':
      return { kind: 'remove', domain: parseDomainArgument(domain), confirmed: values.yes };
    default:
      throw new SiteCommandError(`${action === undefined ? 'no subcommand' : `unknown subcommand "${action}"`}\n${SITE_USAGE}`);
  }
}

const ask = process.stdin.isTTY
  ? async (question: string) => {
      const terminal = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await terminal.question(question);
      } finally {
        terminal.close();
      }
    }
  : undefined;

let stopDatabase: (() => Promise<void>) | undefined;
try {
  let command: SiteCommand;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (error) {
    // parseArgs' own errors (an unknown option) name the option; add the usage.
    if (error instanceof SiteCommandError) throw error;
    throw new SiteCommandError(`${error instanceof Error ? error.message : String(error)}\n${SITE_USAGE}`);
  }
  const settings = parseSettings(processEnvironment(), { database: databaseLocation, local: localDataSettings });
  const target = await configuredOrPrivateDatabase({ configured: settings.database, dataDir: settings.local.dataDir, log: say });
  stopDatabase = target.stop;
  if (target.privateDataDir !== undefined) await applyMigrations(target.settings, say);
  const database = await openDatabase(target.settings);
  try {
    await runSiteCommand(database.db, command, { say, ask }, new Date());
  } finally {
    await database.close();
  }
  await target.stop();
} catch (error) {
  await stopDatabase?.().catch(() => {});
  const write = (message: string) => process.stderr.write(`[site] ${message}\n`);
  if (error instanceof SiteCommandError || error instanceof ConfigError || error instanceof DatabaseServerNotFoundError) {
    write(error.message);
  } else if (driverErrorCode(error) === 'ER_NO_SUCH_TABLE') {
    write(
      `${describeDriverError(error)}\nThe database has no sites table yet: run npm run db:migrate against it, then this again.`,
    );
  } else if (driverErrorCode(error) === 'ER_TABLEACCESS_DENIED_ERROR') {
    write(
      `${describeDriverError(error)}\nThe service's database user may register and unregister sites but not delete recorded data: a site unregistered above has its data deleted by the next npm run db:purge (run as the migration user); next time run remove as the migration user, which deletes it at once.`,
    );
  } else {
    write(describeDriverError(error));
    write('Nothing was changed unless a line above says so. Fix the cause above and run npm run site again.');
  }
  process.exit(1);
}

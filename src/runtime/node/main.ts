import { hostname } from 'node:os';
import { describeDatabase } from '../../config/database';
import { localDataSettings } from '../../config/tools';
import { ConfigError, parseSettings } from '../../config/variables';
import { DatabaseServerNotFoundError } from '../../dev/local-database';
import { configuredOrPrivateDatabase } from '../../dev/private-database';
import { processEnvironment } from '../../ops/environment';
import { applyMigrations } from '../../ops/migrate';
import { startHttpServer } from './http-server';
import { createNodeService } from './node-service';
import { nodeSections } from './settings';

/**
 * `npm start` and the container image: the service on Node. With DATABASE_URL (or DB_HOST…) it
 * uses that server; without, on a workstation, it starts a private MySQL-compatible server
 * under DATA_DIR and migrates it (src/dev/private-database.ts). `--migrate` (or
 * MIGRATE_ON_START=true) applies migrations before serving.
 */

const progress = (message: string) => process.stdout.write(`[visit-tracker] ${message}\n`);

async function main(argv: readonly string[]): Promise<void> {
  const settings = parseSettings(processEnvironment(), { ...nodeSections(hostname()), local: localDataSettings });
  if (settings.database === undefined && settings.app.environment === 'production') {
    throw new StartupError(
      'APP_ENV=production but no database is configured. Set DATABASE_URL (or DB_HOST, DB_NAME, DB_USER, DB_PASSWORD).',
    );
  }
  const database = await configuredOrPrivateDatabase({
    configured: settings.database,
    dataDir: settings.local.dataDir,
    log: progress,
  });
  if (database.privateDataDir !== undefined || settings.startup.migrateOnStart || argv.includes('--migrate')) {
    await applyMigrations(database.settings, progress);
  }

  let draining = false;
  const service = createNodeService({ settings, database: database.settings, isDraining: () => draining });
  const running = await startHttpServer(service.app, settings.http);
  const { host, name } = describeDatabase(database.settings);
  progress(
    `serving ${running.url} as "${settings.instance.serverId}" (${settings.app.environment}, Node ${process.versions.node}, database ${name} on ${host})`,
  );
  const { replicas } = settings.replicas;
  if (replicas.length > 0) {
    const hosts = replicas.map((replica) => describeDatabase(replica).host).join(', ');
    progress(`/api/visits and /api/stats read from ${hosts} (the primary when none answers)`);
  }

  const shutdown = async (signal: NodeJS.Signals) => {
    if (draining) {
      progress(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    draining = true;
    const { shutdownTimeoutMs } = settings.http;
    progress(`${signal}: no new connections; finishing requests in flight (at most ${shutdownTimeoutMs} ms)`);
    const started = Date.now();
    const clean = await running.drain(shutdownTimeoutMs);
    if (!clean) progress('drain deadline reached: remaining connections were closed');
    // Closing the pool waits for the database; a hung one would hold the exit past any
    // orchestrator's grace period. What is left of the deadline, and a second more, is all it gets.
    const closeBudgetMs = Math.max(0, shutdownTimeoutMs - (Date.now() - started)) + SHUTDOWN_MARGIN_MS;
    const closed = await Promise.race([
      (async () => {
        await service.close();
        await database.stop();
        return true;
      })(),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), closeBudgetMs).unref()),
    ]);
    progress(closed ? 'stopped' : `the database did not let go within ${closeBudgetMs} ms: exiting without waiting for it`);
    process.exit(closed ? 0 : 1);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

/** What closing the database may take beyond the drain deadline before the process exits anyway. */
const SHUTDOWN_MARGIN_MS = 1_000;

class StartupError extends Error {}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseServerNotFoundError || error instanceof StartupError) {
    process.stderr.write(`[visit-tracker] ${error.message}\n`);
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `[visit-tracker] could not start: ${detail}\n` +
        '[visit-tracker] Check that the database in DATABASE_URL is reachable and its user can log in, then run npm start again.\n',
    );
  }
  process.exit(1);
});

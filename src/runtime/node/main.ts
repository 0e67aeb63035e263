import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type Config, ConfigError, type DatabaseSettings, databaseSettingsFromUrl, parseConfig } from '../../config';
import { createNodeDatabase, describeDatabase } from './database';
import { startHttpServer } from './http-server';
import { DatabaseServerNotFoundError, type LocalDatabase, startLocalDatabase } from './local-database';
import { applyMigrations } from './migrate';
import { createNodeApp, createNodeLogger } from './node-app';
import { PROJECT_ROOT } from './project-root';
import { createReadRouting } from './read-routing';
import { createRedisCache } from './redis-cache';
import { slowQueryLog } from './slow-query-log';

/**
 * `npm start`: the service on Node. With DATABASE_URL (or DB_HOST…) it uses that server;
 * without, it starts a private MySQL-compatible server under .data/ and migrates it.
 * `--migrate` (or MIGRATE_ON_START=true) applies migrations before serving.
 */

const LOCAL_DATABASE_NAME = 'visit_tracker';

const progress = (message: string) => process.stdout.write(`[visit-tracker] ${message}\n`);

async function main(argv: readonly string[]): Promise<void> {
  const config = parseConfig(process.env, { serverId: hostname() });
  let local: LocalDatabase | undefined;
  let settings = config.database;
  if (settings === undefined) {
    ({ local, settings } = await startPrivateDatabase(config));
  }
  if (local !== undefined || config.migrateOnStart || argv.includes('--migrate')) {
    await applyMigrations(settings, progress);
  }

  const logger = createNodeLogger(config);
  // Every statement is timed; those over SLOW_QUERY_MS are logged with their SQL shape.
  const observeStatement = slowQueryLog(logger, config.slowQueryMs);
  const database = createNodeDatabase(settings, config.pool, { observeStatement });
  const readReplicas = createReadRouting({
    primary: database.db,
    replicas: config.readReplicas,
    pool: config.pool,
    readTimeoutMs: config.readTimeoutMs,
    logger,
    observeStatement,
  });
  let draining = false;
  const statsCache =
    config.redisUrl === undefined
      ? undefined
      : createRedisCache({
          url: config.redisUrl,
          // Replicas of one deployment share entries; another database on the same Redis does not.
          keyPrefix: `visit-tracker:${settings.host}:${settings.port}/${settings.database}:`,
          logger,
        });
  const app = createNodeApp({
    config,
    settings,
    db: database.db,
    isDraining: () => draining,
    statsCache,
    readReplicas,
    replicaPools: readReplicas.pools,
    logger,
  });
  const running = await startHttpServer(app, config);
  const { host, name } = describeDatabase(settings);
  progress(
    `serving ${running.url} as "${config.serverId}" (${config.environment}, Node ${process.versions.node}, database ${name} on ${host})`,
  );
  if (config.readReplicas.length > 0) {
    const replicas = config.readReplicas.map((replica) => describeDatabase(replica).host).join(', ');
    progress(`/api/visits and /api/stats read from ${replicas} (the primary when none answers)`);
  }

  const shutdown = async (signal: NodeJS.Signals) => {
    if (draining) {
      progress(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    draining = true;
    progress(`${signal}: no new connections; finishing requests in flight (at most ${config.shutdownTimeoutMs} ms)`);
    const clean = await running.drain(config.shutdownTimeoutMs);
    if (!clean) progress('drain deadline reached: remaining connections were closed');
    await database.close();
    await readReplicas.close();
    await statsCache?.close();
    await local?.stop();
    progress('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

async function startPrivateDatabase(config: Config): Promise<{ local: LocalDatabase; settings: DatabaseSettings }> {
  if (config.environment === 'production') {
    throw new StartupError(
      'APP_ENV=production but no database is configured. Set DATABASE_URL (or DB_HOST, DB_NAME, DB_USER, DB_PASSWORD).',
    );
  }
  const dataDir = join(resolve(PROJECT_ROOT, config.dataDir), 'mysql');
  progress(`no DATABASE_URL: using a private database server, data in ${dataDir} (delete it to start afresh)`);
  const local = await startLocalDatabase({ dataDir, port: 0, database: LOCAL_DATABASE_NAME, log: progress });
  progress(`private database: ${local.url.replace(/:[^:@/]*@/, ':***@')}`);
  return { local, settings: databaseSettingsFromUrl(local.url) };
}

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

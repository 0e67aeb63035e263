import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { databaseUrlOf } from '../../config/database';
import { DATABASE_LOCATION_VARIABLES, databaseLocation } from '../../config/node';
import { type AppSettings, appSettings } from '../../config/service';
import { ConfigError, parseSettings } from '../../config/variables';
import { processEnvironment } from '../../ops/environment';
import { findExecutable, searchDirectories } from '../../ops/programs';
import { listenOnce } from '../host';
import { configuredOrPrivateDatabase, type ResolvedDatabase } from '../private-database';
import { loadComposeModel } from './compose-model';
import { readImageCommand } from './image-command';
import { renderLocalNginxConfig } from './nginx-config';
import { prefixer, type ServiceProcess, spawnService } from './processes';

/**
 * The Compose topology as processes on this host: database → one-shot migration → N app
 * replicas → nginx, each started only once the tier below is healthy, as compose.yml's
 * `condition: service_healthy` / `service_completed_successfully` do. It reads the replica
 * count, the proxy port and the app's environment from compose.yml, and runs
 * deploy/nginx/nginx.conf with only the upstream addresses and paths rewritten.
 */

export interface StackOptions {
  /** The repository root (compose.yml, deploy/, src/). */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The Compose file to follow (default <root>/compose.yml). */
  composeFile?: string;
  /** Overrides compose.yml's app replica count. */
  replicas?: number;
  /** Overrides compose.yml's published proxy port; 0 picks a free one. */
  proxyPort?: number;
  /** Where the private database and nginx's run files live (default <root>/.data). */
  dataDir?: string;
  write?: (line: string) => void;
}

export interface Replica {
  name: string;
  url: string;
  process: ServiceProcess;
}

export interface StackEvent {
  at: number;
  what: string;
}

export interface Stack {
  url: string;
  databaseUrl: string;
  replicas: Replica[];
  proxy: ServiceProcess;
  /** What happened when, for start-order checks. */
  events: StackEvent[];
  stop(): Promise<void>;
}

export class StackError extends Error {}

const HEALTH_DEADLINE_MS = 60_000;

/** Settings that describe where things are; the local stack sets these itself. */
const TOPOLOGY_VARIABLES = new Set<string>([
  ...DATABASE_LOCATION_VARIABLES,
  'HOST',
  'PORT',
  'TRUST_PROXY',
  'SERVER_ID',
  'MIGRATE_ON_START',
  'DATA_DIR',
]);

/** DB_PASSWORD_FILE is DB_PASSWORD handed over as a file: where the database is, all the same. */
const isTopology = (name: string) => TOPOLOGY_VARIABLES.has(name.replace(/_FILE$/, ''));

export async function startStack(options: StackOptions): Promise<Stack> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = prefixer('stack', write);
  const events: StackEvent[] = [];
  const mark = (what: string) => events.push({ at: performance.now(), what });
  const nginx = findNginx();
  if (nginx === undefined) {
    throw new StackError(
      'nginx is not installed, and the stack needs it as its proxy tier. Install it (Debian/Ubuntu: sudo apt-get install nginx; ' +
        'macOS: brew install nginx) and run npm run stack again, or run the same topology in containers with docker compose up.',
    );
  }
  const compose = await loadComposeModel(options.composeFile ?? join(options.root, 'compose.yml'), options.env);
  // The stack brings its own database and addresses; anything else compose.yml requires, it needs too.
  const missing = Object.entries(compose.appMissing).filter(([name]) => !isTopology(name));
  if (missing.length > 0) {
    throw new StackError(
      `the replicas run compose.yml's app environment (APP_ENV=production), which needs:\n${missing.map(([, message]) => `  ${message}`).join('\n')}\n` +
        'Do that (npm run stack reads .env and the environment) and run npm run stack again.',
    );
  }
  const appEnvironment = Object.fromEntries(Object.entries(compose.appEnvironment).filter(([name]) => !isTopology(name)));
  // What the replicas will parse, through their secret files, before anything starts: a bad
  // value stops the stack here, naming it, not once the database and the replicas are up.
  let rateLimit: AppSettings['rateLimit'];
  try {
    rateLimit = parseSettings(processEnvironment(appEnvironment), { app: appSettings }).app.rateLimit;
  } catch (error) {
    if (error instanceof ConfigError) throw new StackError(`the replicas would not start: ${error.message}`);
    throw error;
  }
  const replicaCount = options.replicas ?? compose.replicas;
  const dataDir = resolve(options.root, options.dataDir ?? options.env.DATA_DIR ?? '.data');
  const runDir = join(dataDir, 'stack');
  await mkdir(runDir, { recursive: true });

  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const item of started.reverse()) await item.stop().catch(() => undefined);
  };
  try {
    // What the image holds: the bundled entry points in app/dist next to app/db/migrations
    // (deploy/Dockerfile), so the replicas run the code the containers run.
    say('build: bundling the entry points as the image does (src/dev/build.ts)');
    const appDir = await buildApp(options.root, runDir, write);
    const imageCommand = await readImageCommand(join(options.root, 'deploy/Dockerfile'));

    // Tier 3: the database.
    say('db: starting');
    const database = await startDatabase(options.env, dataDir, prefixer('db', write));
    started.push(database.resolved);
    mark('db:healthy');
    say('db: healthy');

    // The one-shot migration, like compose's migrate service.
    mark('migrate:started');
    const migrate = spawnService('migrate', process.execPath, ['--enable-source-maps', 'dist/db-migrate.mjs'], {
      cwd: appDir,
      env: { ...process.env, DATABASE_URL: database.url },
      write,
    });
    const migrated = await migrate.exited;
    if (migrated.code !== 0)
      throw new StackError('the migration step failed (see the migrate lines above); the app replicas were not started');
    mark('migrate:completed');

    // Tier 2: the app replicas.
    const replicas = await Promise.all(
      Array.from({ length: replicaCount }, async (_, index) => {
        const name = `app-${index + 1}`;
        mark(`${name}:started`);
        const replica = spawnService(name, process.execPath, imageCommand, {
          cwd: appDir,
          env: {
            ...process.env,
            ...appEnvironment,
            DATABASE_URL: database.url,
            HOST: '127.0.0.1',
            PORT: '0',
            // Only the local nginx may set X-Forwarded-For.
            TRUST_PROXY: '127.0.0.1',
            SERVER_ID: name,
            MIGRATE_ON_START: 'false',
          },
          write,
        });
        started.push(replica);
        const [, url] = await replica.waitForLine(/serving (http:\/\/[\d.]+:\d+)/, HEALTH_DEADLINE_MS);
        await waitForHealthy(`${url}/health`, name);
        mark(`${name}:healthy`);
        return { name, url: url ?? '', process: replica };
      }),
    );

    // Tier 1: nginx.
    const proxyPort = options.proxyPort === 0 ? await listenOnce() : (options.proxyPort ?? compose.proxyPort);
    const configPath = join(runDir, 'nginx.conf');
    const source = await readFile(join(options.root, 'deploy/nginx/nginx.conf'), 'utf8');
    await writeFile(
      configPath,
      renderLocalNginxConfig(source, {
        upstreams: replicas.map((replica) => new URL(replica.url).host),
        listen: `127.0.0.1:${proxyPort}`,
        runDir,
        // One setting for both tiers: the limit the replicas apply, in the proxy's zone too.
        rateLimit,
      }),
    );
    mark('proxy:started');
    const proxy = spawnService('proxy', nginx, ['-p', runDir, '-c', configPath, '-g', 'daemon off;'], {
      cwd: options.root,
      env: process.env,
      write,
    });
    // SIGQUIT is nginx's graceful stop: finish requests in flight, then exit.
    started.push({ stop: () => proxy.stop('SIGQUIT') });
    const url = `http://127.0.0.1:${proxyPort}`;
    await waitForHealthy(`${url}/health/live`, 'proxy', proxy);
    mark('proxy:healthy');
    say(
      `ready: ${url} → nginx → ${replicas.map((replica) => `${replica.name} (${new URL(replica.url).port})`).join(', ')} → ${describe(database.url)}`,
    );

    return { url, databaseUrl: database.url, replicas, proxy, events, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Bundles the Node entry points into runDir/app/dist and copies the migrations beside them. */
async function buildApp(root: string, runDir: string, write: (line: string) => void): Promise<string> {
  const appDir = join(runDir, 'app');
  await rm(appDir, { recursive: true, force: true });
  const build = spawnService('build', process.execPath, ['--import', 'tsx', 'src/dev/build.ts', join(appDir, 'dist')], {
    cwd: root,
    env: process.env,
    write,
  });
  const built = await build.exited;
  if (built.code !== 0) throw new StackError('bundling the app failed (see the build lines above); nothing was started');
  await cp(join(root, 'db', 'migrations'), join(appDir, 'db', 'migrations'), { recursive: true });
  return appDir;
}

/** nginx on PATH, or where Debian's and Homebrew's packages put it. */
export function findNginx(): string | undefined {
  return findExecutable(['nginx'], searchDirectories(['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin']));
}

async function startDatabase(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
  log: (line: string) => void,
): Promise<{ url: string; resolved: ResolvedDatabase }> {
  const { database: configured } = parseSettings(env, { database: databaseLocation });
  const resolved = await configuredOrPrivateDatabase({ configured, dataDir, log });
  const url = databaseUrlOf(resolved.settings);
  if (configured !== undefined) {
    log(`using the configured database (${describe(url)})`);
    await waitForDatabase(url);
  }
  return { url, resolved };
}

async function waitForDatabase(url: string): Promise<void> {
  await poll(`the database at ${describe(url)}`, async () => {
    const connection = await mysql.createConnection({ uri: url, connectTimeout: 2_000 });
    try {
      await connection.query('SELECT 1');
      return true;
    } finally {
      await connection.end();
    }
  });
}

async function waitForHealthy(url: string, name: string, process?: ServiceProcess): Promise<void> {
  let exited = false;
  void process?.exited.then(() => {
    exited = true;
  });
  await poll(`${name} to answer ${url} with 200`, async () => {
    if (exited) throw new StackError(`${name} exited before it became healthy (see its lines above)`);
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  });
}

/** Retries `probe` (errors count as "not yet", except StackError) until it is true or the deadline passes. */
async function poll(description: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  let lastError = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      if (error instanceof StackError) throw error;
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `timed out after ${HEALTH_DEADLINE_MS / 1000} s waiting for ${description}${lastError ? ` (last error: ${lastError})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** host:port/database of a URL, never its credentials. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 3306}${parsed.pathname}`;
}

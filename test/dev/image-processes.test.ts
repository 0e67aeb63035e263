import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { interpolate } from '../../src/dev/stack/compose-model';
import { waitFor } from '../support/server';

/**
 * What the container image runs, without a container (this machine has no Docker engine):
 * the bundle `npm run build` makes, laid out as deploy/Dockerfile lays it out (dist/ beside
 * db/migrations/, no package.json, no node_modules), taken through compose.yml's sequence on a
 * real server: the db init script's accounts, the migrate service's command, a replica started
 * with the image's CMD and the app's environment, the healthchecks of both files, and SIGTERM.
 * The replica holds only the privileges the migrate service grants it.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

const suffix = randomBytes(4).toString('hex');
const databaseName = `vt_image_${suffix}`;
const migrator = { user: `vt_migrator_${suffix}`, password: `m'${randomBytes(8).toString('hex')}\\` };
const appUser = { user: `vt_app_${suffix}`, password: randomBytes(12).toString('hex') };

let imageDir: string;
/** Where /run/secrets is for these processes. */
let secretsDir: string;
let admin: mysql.Connection;
let server: { host: string; port: number };
let replica: RunningProcess | undefined;
let replicaUrl: string;

interface ComposeFile {
  services: Record<
    string,
    { command?: string[]; environment?: Record<string, string | null>; healthcheck?: { test?: string[] } }
  >;
}
// compose.yml mounts it as secrets/admin_token, as production requires one.
const ADMIN_TOKEN = 'image-test-admin-token-0123456789abcdef';
const compose = parse(await readFile(join(root, 'compose.yml'), 'utf8')) as ComposeFile;
const dockerfile = DockerfileParser.parse(await readFile(join(root, 'deploy/Dockerfile'), 'utf8'));

/** A variable of a service's environment in compose.yml, as written. */
function composeValue(service: string, name: string): string {
  const value = compose.services[service]?.environment?.[name];
  if (typeof value !== 'string') throw new Error(`compose.yml: ${service} sets no ${name}`);
  return value;
}

/** A path in a container: /run/secrets/<name> is the secrets directory here. */
const inContainer = (path: string) => path.replace(/^\/run\/secrets\//, `${secretsDir}/`);

/** An exec-form Dockerfile instruction's arguments (CMD […], HEALTHCHECK … CMD […]). */
function execForm(content: string | null | undefined): string[] {
  return JSON.parse((content ?? '').replace(/^CMD\s+/, '')) as string[];
}

interface RunningProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

/** Runs a command as the image would, from its working directory; `node` is this Node 24. */
function start(command: readonly string[], env: Record<string, string>): RunningProcess {
  const [program, ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : (program as string), args, {
    cwd: imageDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => output, exited };
}

async function finish(
  command: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | string; output: string }> {
  const started = start(command, env);
  const code = await started.exited;
  return { code, output: started.output() };
}

function databaseEnv(account: { user: string; password: string }): Record<string, string> {
  return {
    DB_HOST: server.host,
    DB_PORT: String(server.port),
    DB_NAME: databaseName,
    DB_USER: account.user,
    DB_PASSWORD: account.password,
  };
}

/** A connection as one of the stack's accounts. */
function connectAs(account: { user: string; password: string }): Promise<mysql.Connection> {
  return mysql.createConnection({ ...server, ...account, database: databaseName });
}

beforeAll(async () => {
  imageDir = await mkdtemp(join(tmpdir(), 'visit-tracker-image-'));
  await run(process.execPath, ['--import', 'tsx', 'src/dev/build.ts', join(imageDir, 'dist')], { cwd: root });
  await cp(join(root, 'db/migrations'), join(imageDir, 'db/migrations'), { recursive: true });

  const adminUrl = new URL(inject('databaseAdminUrl'));
  server = { host: adminUrl.hostname, port: Number(adminUrl.port || 3306) };
  admin = await mysql.createConnection({ uri: adminUrl.toString(), multipleStatements: true });
  // What the mysql image does with MYSQL_DATABASE before it runs the init scripts.
  await admin.query(`CREATE DATABASE ${mysql.escapeId(databaseName)}`);
  // The secret files compose.yml mounts at /run/secrets, as deploy/make-secrets.sh writes them
  // from the variables of a deployment's .env.
  secretsDir = join(imageDir, 'secrets');
  const made = await run('sh', ['deploy/make-secrets.sh'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      SECRETS_DIR: secretsDir,
      MIGRATE_PASSWORD: migrator.password,
      DB_PASSWORD: appUser.password,
      ADMIN_TOKEN,
    },
  });
  expect(made.stdout).toContain(`${secretsDir}/db_password written from DB_PASSWORD in the environment`);
  // The init script itself, sourced as the image's entrypoint sources it, the passwords read
  // from the secret files by file_env (as the entrypoint defines it); its SQL goes to this server.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions, not a template
  const fileEnv = 'file_env() { local file="${1}_FILE"; if [ -n "${!file:-}" ]; then export "$1"="$(< "${!file}")"; fi; }';
  const { stdout: sql } = await run(
    'bash',
    ['-c', `set -eo pipefail; docker_process_sql() { cat; }; ${fileEnv}; . deploy/db/init/01-users.sh`],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        MYSQL_DATABASE: databaseName,
        MIGRATE_DB_USER: migrator.user,
        MIGRATE_DB_PASSWORD_FILE: inContainer(composeValue('db', 'MIGRATE_DB_PASSWORD_FILE')),
        APP_DB_USER: appUser.user,
        APP_DB_PASSWORD_FILE: inContainer(composeValue('db', 'APP_DB_PASSWORD_FILE')),
      },
    },
  );
  await admin.query(sql);
});

afterAll(async () => {
  if (replica !== undefined && replica.child.exitCode === null) replica.child.kill('SIGKILL');
  await admin?.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(databaseName)}`);
  for (const account of [migrator, appUser]) await admin?.query(`DROP USER IF EXISTS ${mysql.escape(account.user)}@'%'`);
  await admin?.end();
  await rm(imageDir, { recursive: true, force: true });
});

describe('the bundle the image carries', () => {
  it('loads the Redis client only on demand and carries neither legacy character sets nor RDS certificates', async () => {
    const main = await readFile(join(imageDir, 'dist/main.mjs'), 'utf8');
    const chunks = await readdir(join(imageDir, 'dist/chunks'));
    const chunkTexts = await Promise.all(chunks.map((name) => readFile(join(imageDir, 'dist/chunks', name), 'utf8')));
    const everything = [main, ...chunkTexts].join('\n');
    expect(everything).not.toContain('BEGIN CERTIFICATE');
    expect(everything).toContain('The service decodes UTF-8 text only');
    // Statically imported chunks are what a replica parses at start; the Redis client is not one of them.
    const staticImports = [...main.matchAll(/^import [^;]*? from "\.\/chunks\/([^"]+)";$/gm)].map((match) => match[1]);
    const redisChunk = chunks.find((name, index) => name.endsWith('.mjs') && chunkTexts[index]?.includes('RedisClient'));
    expect(redisChunk).toBeDefined();
    expect(staticImports.length).toBeGreaterThan(0);
    expect(staticImports).not.toContain(redisChunk);
    expect(main).toContain(`import("./chunks/${redisChunk}")`);
  });
});

describe('the image, run as compose.yml runs it', () => {
  it("migrates with the migrate service's command as the migration user, grants the app user, and can run again", async () => {
    const command = (compose.services.migrate?.command ?? []).map((part) => interpolate(part, { DB_USER: appUser.user }));
    expect(command).toContain('dist/db-migrate.mjs');
    const journal = JSON.parse(await readFile(join(imageDir, 'db/migrations/meta/_journal.json'), 'utf8')) as {
      entries: unknown[];
    };

    const first = await finish(command, databaseEnv(migrator));
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`applied ${journal.entries.length},`);
    expect(first.output).toContain(`grants: '${appUser.user}'@'%' holds`);

    // `docker compose up` runs it on every start.
    const again = await finish(command, databaseEnv(migrator));
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('applied 0,');
  });

  it("serves every route from the image's CMD with the app's environment, as the least-privileged user", async () => {
    const cmd = execForm(dockerfile.getCMDs().at(-1)?.getArgumentsContent());
    // The passwords and the token are not variables there: the secret files made above.
    const dotEnv = { DB_NAME: databaseName, DB_USER: appUser.user };
    const composeEnvironment = Object.fromEntries(
      Object.entries(compose.services.app?.environment ?? {}).map(([name, value]) => [
        name,
        inContainer(interpolate(value ?? '', dotEnv)),
      ]),
    );
    replica = start(cmd, {
      ...composeEnvironment,
      // What differs outside a container: the database's address, a free port on loopback.
      DB_HOST: server.host,
      DB_PORT: String(server.port),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const running = replica;
    await waitFor(
      'the replica to serve',
      () => running.child.exitCode !== null || /serving http:\/\/[\d.]+:\d+/.test(running.output()),
      30_000,
    );
    replicaUrl = /serving (http:\/\/[\d.]+:\d+)/.exec(running.output())?.[1] ?? '';
    expect(replicaUrl, running.output()).not.toBe('');
    expect(running.output()).toContain('(production, Node 24');

    const health = await fetch(`${replicaUrl}/health`);
    expect(await health.json()).toMatchObject({ status: 'healthy', database: 'connected' });
    // Twice: the second visit takes the counters' ON DUPLICATE KEY UPDATE path.
    for (const attempt of [1, 2]) {
      expect((await fetch(`${replicaUrl}/`, { headers: { 'X-Request-Id': `image-${suffix}-${attempt}` } })).status).toBe(200);
    }
    const visits = (await (
      await fetch(`${replicaUrl}/api/visits`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as {
      count: number;
    };
    expect(visits.count).toBe(2);
    const stats = (await (await fetch(`${replicaUrl}/api/stats`)).json()) as { total: number; unique_visitors: number };
    expect(stats).toMatchObject({ total: 2, unique_visitors: 1 });
    expect((await fetch(`${replicaUrl}/info`)).status).toBe(200);
  });

  it('passes the healthchecks of deploy/Dockerfile and compose.yml, which fail where nothing answers', async () => {
    const port = new URL(replicaUrl).port;
    const imageCheck = execForm(dockerfile.getHEALTHCHECKs().at(-1)?.getArgumentsContent());
    const composeCheck = (compose.services.app?.healthcheck?.test ?? []).slice(1);
    for (const check of [imageCheck, composeCheck]) {
      const passing = await finish(check, { PORT: port });
      expect(passing.code, `${check.join(' ')}: ${passing.output}`).toBe(0);
    }
    const nothing = await finish(composeCheck, { PORT: '1' });
    expect(nothing.code).toBe(1);
    expect(nothing.output).toContain('/health failed');
  });

  it("refuses the app user anything the service's statements do not need", async () => {
    const connection = await connectAs(appUser);
    try {
      const refused = [
        'UPDATE visits SET user_agent = ?',
        'DELETE FROM visit_counters',
        'DELETE FROM visits',
        'SELECT * FROM __drizzle_migrations',
        'INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, 0)',
        'CREATE TABLE intruder (id INT)',
        'DROP VIEW visit_stats',
        'ALTER TABLE visits ADD COLUMN extra INT',
      ];
      for (const statement of refused) {
        await expect(connection.query(statement, ['x']), statement).rejects.toMatchObject({
          code: expect.stringMatching(/^ER_(TABLEACCESS|DBACCESS|COLUMNACCESS|SPECIFIC_ACCESS)_DENIED_ERROR$/),
        });
      }
      // Reporting by hand with the service's credentials works.
      const [rows] = await connection.query('SELECT server_id, requests FROM visit_stats');
      expect(rows).toHaveLength(1);
    } finally {
      await connection.end();
    }
  });

  it('confines the migration user to its own database', async () => {
    const connection = await connectAs(migrator);
    try {
      for (const statement of [
        'SELECT user FROM mysql.user',
        `CREATE DATABASE vt_other_${suffix}`,
        `CREATE USER 'vt_intruder_${suffix}'@'%'`,
      ]) {
        await expect(connection.query(statement), statement).rejects.toMatchObject({
          code: expect.stringMatching(/ACCESS_DENIED|DENIED_ERROR/),
        });
      }
    } finally {
      await connection.end();
    }
  });

  it('drains and exits 0 on SIGTERM, as `docker compose stop` sends it', async () => {
    const running = replica as RunningProcess;
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('SIGTERM: no new connections');
  });
});

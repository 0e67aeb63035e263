import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { Copy, type Dockerfile, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withSecretFiles } from '../../src/config/secret-files';
import { backupSettings, localDataSettings, retentionSettings } from '../../src/config/tools';
import { variablesOf } from '../../src/config/variables';
import { interpolate } from '../../src/dev/stack/compose-model';
import { resolveClientAddress } from '../../src/domain/client-ip';
import { NODE_SERVICE_VARIABLES, parseNodeSettings } from '../../src/runtime/node/settings';

/**
 * The deployment files, checked without Docker (this machine has no engine): compose.yml against
 * the Compose Specification schema and against the traps issue 3 lists, the app's environment
 * against src/config/, deploy/Dockerfile's stages, and the build context. Each rule is stated
 * once, here, next to the comment in the file it guards.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// --- compose.yml ------------------------------------------------------------------------------

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: unknown[];
  networks?: string[] | Record<string, unknown>;
  depends_on?: Record<string, { condition?: string; restart?: boolean | string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean | string };
  init?: boolean | string;
  stop_grace_period?: string;
  restart?: string;
  profiles?: string[];
  deploy?: { replicas?: number | string; resources?: { limits?: { memory?: string; cpus?: string } } };
  volumes?: unknown[];
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  tmpfs?: string[];
  logging?: { driver?: string; options?: Record<string, string> };
  secrets?: string[];
}

interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  networks?: Record<string, { internal?: boolean; ipam?: { config?: { subnet?: string }[] } } | null>;
}

const composeText = read('compose.yml');
const rawCompose: unknown = parse(composeText);

/** .env.example as a user copies it: the uncommented assignments, and every name it mentions. */
const envExample = read('.env.example');
const envExampleValues = Object.fromEntries(
  [...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1] as string, match[2] as string]),
);
const envExampleMentions = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] as string));

/** Every ${VAR…} compose.yml reads, and those it requires (${VAR:?message}). */
const composeVariables = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?/g)];
const requiredVariables = new Set(composeVariables.filter((match) => match[2]?.endsWith('?')).map((match) => match[1] as string));
const allVariables = new Set(composeVariables.map((match) => match[1] as string));

/** The .env a user ends up with: .env.example plus the secrets it asks them to fill in. */
const sampleEnv: Record<string, string> = {
  ...envExampleValues,
  // Long enough for ADMIN_TOKEN's 32 characters.
  ...Object.fromEntries([...requiredVariables].map((name) => [name, `sample-${name.toLowerCase()}-0123456789abcdef0123456789`])),
};

/** Compose interpolates values, never keys, before it applies the model. */
function interpolateTree(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateTree(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateTree(item, env)]));
  }
  return value;
}

const compose = interpolateTree(rawCompose, sampleEnv) as ComposeFile;

function service(name: string): Service {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`compose.yml has no service "${name}"`);
  return found;
}

function environmentOf(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  if (Array.isArray(environment)) throw new Error(`${name}.environment: write it as a map, as the rest of compose.yml does`);
  // Empty values are unset for src/config/ (and dropped by the local stack).
  return Object.fromEntries(
    Object.entries(environment)
      .map(([key, value]) => [key, value === null ? '' : String(value)] as const)
      .filter(([, value]) => value !== ''),
  );
}

function networksOf(name: string): string[] {
  const networks = service(name).networks ?? [];
  return Array.isArray(networks) ? networks : Object.keys(networks);
}

function dependencyOf(name: string, on: string): { condition?: string; restart?: boolean | string } {
  const dependsOn = service(name).depends_on;
  if (dependsOn === undefined || Array.isArray(dependsOn))
    throw new Error(`${name}.depends_on: use the long form with a condition`);
  return dependsOn[on] ?? {};
}

/** A healthcheck's command, without the CMD / CMD-SHELL marker. */
function healthcheckCommand(name: string): string[] {
  const test = service(name).healthcheck?.test;
  if (test === undefined) throw new Error(`${name} has no healthcheck`);
  return Array.isArray(test) ? test.slice(1) : [test];
}

/** A Compose duration ("15s", "1m30s", "500ms") in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((total, part) => total + Number(part[1]) * (units[part[2] as string] ?? Number.NaN), 0);
}

/** The Compose Specification's JSON schema, as dclint ships it (its copy of compose-spec/compose-spec's schema). */
function composeSpecSchema(): Record<string, unknown> {
  const packageJson = createRequire(import.meta.url).resolve('dclint/package.json');
  const schema = JSON.parse(readFileSync(join(dirname(packageJson), 'schemas', 'compose.schema.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  // The file names its dialect by an https URL Ajv does not know; it is draft-07 (Ajv's default).
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

describe('compose.yml', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(composeSpecSchema());

  it('is valid against the Compose Specification schema, as written and once interpolated', () => {
    for (const document of [rawCompose, compose]) {
      const valid = validate(document);
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
      expect(valid).toBe(true);
    }
    // The schema still accepts `version` for old files; Compose ignores it and warns.
    expect(rawCompose).not.toHaveProperty('version');
  });

  it('hands every password and the admin token over as secret files, never as variables', () => {
    // Nothing to require from .env any more: the files are (deploy/make-secrets.sh).
    expect([...requiredVariables]).toEqual([]);
    for (const [name, entry] of Object.entries(compose.services)) {
      const variables = environmentOf(name);
      const secretish = Object.keys(variables).filter((key) => /PASSWORD|TOKEN/.test(key) && !key.endsWith('_FILE'));
      expect(secretish, name).toEqual([]);
      for (const [variable, value] of Object.entries(variables).filter(([key]) => key.endsWith('_FILE'))) {
        const secret = /^\/run\/secrets\/(\w+)$/.exec(value)?.[1] ?? '';
        expect(entry.secrets, `${name} ${variable}`).toContain(secret);
      }
      // A service gets the secrets it reads, and no others.
      const read = Object.values(variables).flatMap((value) => /^\/run\/secrets\/(\w+)$/.exec(value)?.[1] ?? []);
      expect([...(entry.secrets ?? [])].sort(), name).toEqual([...new Set(read)].sort());
    }
  });

  it('reads each secret from the file deploy/make-secrets.sh writes', () => {
    const script = read('deploy/make-secrets.sh');
    const written = [...script.matchAll(/^([a-z_]+) [A-Z_]+$/gm)].map((match) => match[1]);
    const secrets = (rawCompose as ComposeFile).secrets ?? {};
    expect(Object.keys(secrets).sort()).toEqual([...written].sort());
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.file, name).toBe(`\${SECRETS_DIR:-./secrets}/${name}`);
    }
    expect(read('.gitignore')).toMatch(/^secrets\/$/m);
    expect(statSync(join(root, 'deploy/make-secrets.sh')).mode & 0o111).not.toBe(0);
  });

  it('documents every variable it reads in .env.example', () => {
    const undocumented = [...allVariables].filter((name) => !envExampleMentions.has(name));
    expect(undocumented).toEqual([]);
  });

  describe("the app's environment", () => {
    const environment = environmentOf('app');

    it('passes only variables the Node service reads', () => {
      const unknown = Object.keys(service('app').environment ?? {}).filter((name) => !NODE_SERVICE_VARIABLES.includes(name));
      expect(unknown).toEqual([]);
    });

    it('passes every variable a replica behind nginx needs', () => {
      const needed = [
        'DB_HOST', // the db service, not a private database
        'DB_NAME',
        'DB_USER',
        'DB_PASSWORD_FILE', // a Compose secret, not a variable
        'ADMIN_TOKEN_FILE', // production needs one
        'HOST', // 0.0.0.0: reachable from nginx
        'PORT', // the port nginx.conf names
        'APP_ENV',
        'TRUST_PROXY', // or every client is recorded as nginx's address
        'KEEP_ALIVE_TIMEOUT_MS',
        'SHUTDOWN_TIMEOUT_MS',
        'MIGRATE_ON_START', // false, stated: replicas never migrate
      ];
      expect(needed.filter((name) => environment[name] === undefined)).toEqual([]);
      // Each replica names itself after its container.
      expect(environment).not.toHaveProperty('SERVER_ID');
    });

    it('parses into a production configuration for the db service that believes X-Forwarded-For from the web network only', () => {
      // The secret files as deploy/make-secrets.sh writes them: a value of their own each.
      const secretFile = (path: string) => `sample-${path.replace('/run/secrets/', '')}-0123456789abcdef0123456789`;
      const config = parseNodeSettings(withSecretFiles(environment, secretFile), 'visit-tracker-app-1');
      expect(config).toMatchObject({
        http: { host: '0.0.0.0' },
        app: { environment: 'production' },
        startup: { migrateOnStart: false },
        instance: { serverId: 'visit-tracker-app-1' },
      });
      expect(config.database).toMatchObject({ host: 'db', port: 3306, user: envExampleValues.DB_USER ?? 'visit_app' });

      const subnet = compose.networks?.web?.ipam?.config?.[0]?.subnet;
      expect(subnet).toBeDefined();
      expect(environment.TRUST_PROXY).toBe(subnet);
      const nginx = (subnet as string).replace(/\.0\/24$/, '.2');
      expect(resolveClientAddress(nginx, '203.0.113.7', config.http.trustedProxies)).toBe('203.0.113.7');
      expect(resolveClientAddress('198.51.100.9', '203.0.113.7', config.http.trustedProxies)).toBe('198.51.100.9');
    });
  });

  describe('start order and the known traps', () => {
    it('starts the replicas only once the database is healthy and the migration has completed', () => {
      expect(dependencyOf('app', 'db').condition).toBe('service_healthy');
      expect(dependencyOf('app', 'migrate').condition).toBe('service_completed_successfully');
      expect(dependencyOf('migrate', 'db').condition).toBe('service_healthy');
      expect(dependencyOf('proxy', 'app').condition).toBe('service_healthy');
    });

    it('migrates once, in a one-shot service on the app image with the DDL user, and never in the replicas', () => {
      const migrate = service('migrate');
      expect(migrate.restart).toBe('no');
      expect(migrate.image).toBe(service('app').image);
      expect(migrate.build).toEqual(service('app').build);
      expect(migrate.command).toEqual([
        'node',
        '--enable-source-maps',
        'dist/db-migrate.mjs',
        '--grant-to',
        environmentOf('app').DB_USER,
      ]);
      expect(environmentOf('migrate').DB_USER).not.toBe(environmentOf('app').DB_USER);
      expect(environmentOf('app').MIGRATE_ON_START).toBe('false');
      expect(networksOf('migrate')).toEqual(['db']);
    });

    it('keeps the database private: on an internal network of its own, no published port', () => {
      expect(service('db').image).toBe('mysql:8.4');
      expect(service('db').ports).toBeUndefined();
      expect(networksOf('db')).toEqual(['db']);
      expect(compose.networks?.db?.internal).toBe(true);
      expect(service('db').volumes).toContain('db-data:/var/lib/mysql');
    });

    it('keeps the proxy off the database network, and restarts it when the app is recreated', () => {
      expect(networksOf('proxy')).toEqual(['web']);
      expect(networksOf('app').sort()).toEqual(['db', 'web']);
      expect(dependencyOf('proxy', 'app').restart).toBe(true);
    });

    it('lets SIGTERM reach node and the drain finish within the stop grace period', () => {
      const app = service('app');
      expect(app.init).toBe(true);
      // compose.yml keeps the image's exec-form CMD (checked below) rather than a shell.
      expect(app.command === undefined || Array.isArray(app.command)).toBe(true);
      const drainMs = Number(environmentOf('app').SHUTDOWN_TIMEOUT_MS);
      const graceMs = durationMs(app.stop_grace_period ?? '10s');
      // Room after the drain to close the pool and exit before SIGKILL.
      expect(graceMs - drainMs).toBeGreaterThanOrEqual(2_000);
    });

    it("keeps idle upstream connections open longer in Node than nginx's upstream keep-alive", () => {
      const upstream = /upstream\s+app_replicas\s*\{([^}]*)\}/.exec(read('deploy/nginx/nginx.conf'))?.[1];
      expect(upstream).toBeDefined();
      const timeout = /keepalive_timeout\s+(\d+)(ms|s|m)?\s*;/.exec(upstream as string);
      // nginx's default upstream keepalive_timeout is 60 s.
      const nginxMs =
        timeout === null ? 60_000 : Number(timeout[1]) * { ms: 1, s: 1_000, m: 60_000 }[(timeout[2] ?? 's') as 'ms' | 's' | 'm'];
      expect(Number(environmentOf('app').KEEP_ALIVE_TIMEOUT_MS)).toBeGreaterThan(nginxMs);
    });

    it('points nginx at the app service on the port the app listens on, and publishes the port nginx listens on', () => {
      const nginx = read('deploy/nginx/nginx.conf');
      expect(nginx).toMatch(new RegExp(`server\\s+app:${environmentOf('app').PORT}\\b`));
      expect(nginx).toMatch(/listen\s+8080\s*;/);
      expect(service('proxy').ports).toEqual([`${envExampleValues.PROXY_PORT ?? '8080'}:8080`]);
      expect(service('app').deploy?.replicas).toBe(envExampleValues.APP_REPLICAS ?? '2');
    });

    it('checks every long-running service for health without curl, and the database over TCP', () => {
      for (const name of ['proxy', 'app', 'db']) {
        expect(healthcheckCommand(name).join(' ')).not.toMatch(/\bcurl\b/);
      }
      // The image's temporary init server listens on the socket only: TCP is not ready until
      // initialisation (users included) is done.
      const databaseCheck = healthcheckCommand('db').join(' ');
      expect(databaseCheck).toContain('mysqladmin ping --host=127.0.0.1');
      // With a user that can log in (no "Access denied" every interval), its password not in argv.
      expect(databaseCheck).toMatch(/^MYSQL_PWD="\$\(cat "\$APP_DB_PASSWORD_FILE"\)" .* --user="\$APP_DB_USER"/);
      expect(healthcheckCommand('app')).toEqual(['node', 'dist/healthcheck.mjs', '/health']);
      expect(service('migrate').healthcheck?.disable).toBe(true);
    });

    it('mounts files that exist, and the init script is sourced rather than run', () => {
      const binds = Object.values(compose.services)
        .flatMap((entry) => entry.volumes ?? [])
        .filter((volume): volume is string => typeof volume === 'string' && volume.startsWith('./'));
      expect(binds.map((volume) => volume.split(':')[0])).toEqual([
        './deploy/nginx/nginx.conf',
        './deploy/nginx/render-nginx-conf.sh',
        './deploy/db/init',
        './deploy/db/backup.sh',
      ]);
      for (const bind of binds) expect(() => statSync(join(root, bind.split(':')[0] as string))).not.toThrow();
      expect(binds.every((volume) => volume.endsWith(':ro'))).toBe(true);
      // Sourced, the script gets the entrypoint's docker_process_sql; run, it would stop.
      expect(statSync(join(root, 'deploy/db/init/01-users.sh')).mode & 0o111).toBe(0);
      // The nginx image's entrypoint runs only executable scripts in /docker-entrypoint.d.
      expect(statSync(join(root, 'deploy/nginx/render-nginx-conf.sh')).mode & 0o111).not.toBe(0);
    });

    it("rotates every service's log, and runs every long-running service read-only without capabilities", () => {
      for (const [name, entry] of Object.entries(compose.services)) {
        expect(entry.logging, name).toEqual({ driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
      }
      for (const name of ['proxy', 'app', 'migrate', 'backup', 'redis']) {
        expect(service(name).read_only, name).toBe(true);
        expect(service(name).cap_drop, name).toEqual(['ALL']);
        expect(service(name).cap_add, name).toBeUndefined();
      }
      // The proxy writes its rendered config, pid file and temp files to tmpfs only, as an unprivileged user.
      expect(service('proxy').image).toMatch(/^nginxinc\/nginx-unprivileged:/);
      expect(service('proxy').tmpfs).toEqual(['/tmp', '/var/cache/nginx']);
      expect(environmentOf('proxy').NGINX_CONF_OUTPUT).toBe('/tmp/nginx.conf');
      expect(service('proxy').command).toEqual(['nginx', '-c', '/tmp/nginx.conf', '-g', 'daemon off;']);
      expect(read('deploy/nginx/nginx.conf')).toMatch(/^pid \/tmp\/nginx\.pid;/m);
    });

    it("limits a replica's memory to what the image's heap cap needs: between 2x and 4x --max-old-space-size", () => {
      const cmd = execForm(dockerfile.getCMDs().at(-1)) ?? [];
      const heapMiB = Number(cmd.find((arg) => arg.startsWith('--max-old-space-size='))?.split('=')[1]);
      expect(heapMiB).toBeGreaterThan(0);
      const limit = service('app').deploy?.resources?.limits?.memory ?? '';
      const limitMiB = Number(/^(\d+)M$/.exec(limit)?.[1]);
      expect(limitMiB, limit).toBeGreaterThanOrEqual(2 * heapMiB);
      expect(limitMiB, limit).toBeLessThanOrEqual(4 * heapMiB);
      expect(service('app').deploy?.resources?.limits?.cpus).toBe('1.0');
    });

    it('pins every image to a version', () => {
      for (const [name, entry] of Object.entries(compose.services)) {
        expect(entry.image, name).toMatch(/^[a-z0-9./-]+:(?!latest$)[\w.-]+$/);
      }
    });

    it('runs scheduled backups only in the backup profile, on the db network alone, as a user of their own', () => {
      const backup = service('backup');
      expect(backup.profiles).toEqual(['backup']);
      expect(backup.image).toBe(service('db').image);
      expect(networksOf('backup')).toEqual(['db']);
      expect(backup.ports).toBeUndefined();
      expect(backup.volumes).toContain('db-backups:/backups');
      expect(dependencyOf('backup', 'db').condition).toBe('service_healthy');
      const environment = environmentOf('backup');
      expect(environment.BACKUP_DB_USER).toBe(environmentOf('db').BACKUP_DB_USER);
      expect([environmentOf('app').DB_USER, environmentOf('migrate').DB_USER]).not.toContain(environment.BACKUP_DB_USER);
      expect(environment.BACKUP_DB_PASSWORD_FILE).toBe(environmentOf('db').BACKUP_DB_PASSWORD_FILE);
      expect(JSON.stringify(backup.entrypoint)).not.toMatch(/PASSWORD|--password/);
    });

    it('runs adminer only in the tools profile, published on loopback', () => {
      const adminer = service('adminer');
      expect(adminer.profiles).toEqual(['tools']);
      expect(adminer.ports).toEqual([`127.0.0.1:${envExampleValues.ADMINER_PORT ?? '8081'}:8080`]);
      expect(networksOf('adminer')).toContain('db');
      expect(networksOf('adminer')).not.toContain('web');
    });
  });
});

describe('.env.example', () => {
  it('mentions every variable src/config/ declares', () => {
    const declared = [...NODE_SERVICE_VARIABLES, ...variablesOf({ localDataSettings, retentionSettings, backupSettings })];
    expect(declared.filter((name) => !envExampleMentions.has(name))).toEqual([]);
  });
});

// --- deploy/Dockerfile --------------------------------------------------------------------------

const dockerfile: Dockerfile = DockerfileParser.parse(read('deploy/Dockerfile'));

/** The instructions of each stage, in order. */
function stages(): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const finalStage = stages().at(-1) ?? [];
const finalOf = (keyword: string) => finalStage.filter((instruction) => instruction.getKeyword() === keyword);

/** An exec-form (JSON array) instruction's arguments, or undefined for the shell form. */
function execForm(instruction: Instruction | undefined): string[] | undefined {
  const content = instruction?.getArgumentsContent()?.replace(/^CMD\s+/, '') ?? '';
  if (!content.startsWith('[')) return undefined;
  return JSON.parse(content) as string[];
}

describe('deploy/Dockerfile', () => {
  it('builds in stages, each on Node 24', () => {
    const froms = dockerfile.getFROMs();
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) {
      expect(from.getImageName()).toBe('node');
      expect(from.getImageTag()).toMatch(/^24(?:[.-]|$)/);
    }
  });

  it('runs as an unprivileged user, with an exec-form command node receives signals in', () => {
    const user = finalOf('USER').at(-1)?.getArgumentsContent();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(finalOf('ENTRYPOINT').every((entrypoint) => execForm(entrypoint) !== undefined)).toBe(true);
    expect(execForm(finalOf('CMD').at(-1))?.[0]).toBe('node');
  });

  it('checks its health with node, not curl', () => {
    const healthcheck = execForm(finalOf('HEALTHCHECK').at(-1));
    expect(healthcheck).toEqual(['node', 'dist/healthcheck.mjs', '/health/live']);
  });

  it('carries no npm dependencies and no sources into the final image', () => {
    expect(finalOf('RUN').map((run) => run.getArgumentsContent())).toEqual([]);
    const copies = finalOf('COPY')
      .filter((copy) => copy instanceof Copy)
      .map((copy) => [
        copy.getFromFlag()?.getValue() ?? '(context)',
        ...copy.getArguments().map((argument) => argument.getValue()),
      ]);
    // The bundle from the build stage, and the migrations beside it (where db/paths.ts looks).
    expect(copies).toEqual([
      ['build', '/src/dist', 'dist'],
      ['(context)', 'db/migrations', 'db/migrations'],
    ]);
    expect(finalOf('WORKDIR').at(-1)?.getArgumentsContent()).toBe('/app');
  });
});

// --- .dockerignore ------------------------------------------------------------------------------

/** Whether the build context includes a path: the last .dockerignore pattern that matches it (or one of its parents) decides. */
function inBuildContext(path: string): boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const segments = path.split('/');
  const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    const regex = new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
    if (prefixes.some((prefix) => regex.test(prefix))) included = negated;
  }
  return included;
}

describe('.dockerignore', () => {
  it('keeps secrets and local state out of the build context', () => {
    for (const path of [
      '.env',
      '.dev.vars',
      '.data/mysql/ibdata1',
      'node_modules/hono/package.json',
      '.git/config',
      'dist/main.mjs',
      'test/support/database.ts',
    ]) {
      expect(inBuildContext(path), path).toBe(false);
    }
  });

  it('lets in every file the Dockerfile copies from the context', () => {
    const sources = dockerfile
      .getCOPYs()
      .filter((copy) => copy.getFromFlag() === null)
      .flatMap((copy) =>
        copy
          .getArguments()
          .slice(0, -1)
          .map((argument) => argument.getValue()),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(inBuildContext(source), source).toBe(true);
      expect(() => statSync(join(root, source)), source).not.toThrow();
    }
    expect(inBuildContext('src/runtime/node/main.ts')).toBe(true);
    expect(inBuildContext('db/migrations/meta/_journal.json')).toBe(true);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECRET_FILE_VARIABLES, withSecretFiles } from '../../src/config/secret-files';
import { backupSettings, localDataSettings, retentionSettings } from '../../src/config/tools';
import { ConfigError, variablesOf } from '../../src/config/variables';
import { resolveClientAddress } from '../../src/domain/client-ip';
import { NODE_SERVICE_VARIABLES, parseNodeSettings } from '../../src/runtime/node/settings';
import { configError, parse } from '../support/config';

/** Every variable anything in the project reads: the service's and the tools'. */
const CONFIG_VARIABLES = [...NODE_SERVICE_VARIABLES, ...variablesOf({ localDataSettings, retentionSettings, backupSettings })];

describe('parseNodeSettings defaults', () => {
  it('runs with an empty environment', () => {
    const config = parse({});
    expect(config.database).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.app.timeZone).toBe('UTC');
    expect(config.pool.size).toBe(10);
    expect(config.instance.serverId).toBe('host-a');
    expect(config.log.level).toBe('info');
    expect(config.app.environment).toBe('development');
    expect(config.startup.migrateOnStart).toBe(false);
    expect(config.http.trustedProxies.ranges).toHaveLength(0);
  });

  it('trusts no proxy by default', () => {
    const config = parse({});
    expect(resolveClientAddress('127.0.0.1', '203.0.113.5', config.http.trustedProxies)).toBe('127.0.0.1');
  });

  it('cuts a long runtime server id to the column width', () => {
    expect(parseNodeSettings({}, 'x'.repeat(100)).instance.serverId).toBe('x'.repeat(64));
  });

  it('treats empty strings as unset', () => {
    const config = parse({
      DATABASE_URL: '',
      DB_HOST: '',
      PORT: '',
      HOST: '',
      APP_TIMEZONE: '',
      TRUST_PROXY: '',
      SERVER_ID: '',
      LOG_LEVEL: '',
      MIGRATE_ON_START: '',
      DB_POOL_SIZE: '',
      UNRELATED: undefined,
    });
    expect(config).toEqual(parse({}));
  });
});

describe('parseNodeSettings values', () => {
  it('reads and trims the values it is given', () => {
    const config = parse({
      PORT: ' 8080 ',
      HOST: '0.0.0.0',
      APP_TIMEZONE: 'Europe/Berlin',
      SERVER_ID: 'replica-2.eu:1',
      LOG_LEVEL: 'DEBUG',
      APP_ENV: 'production',
      ADMIN_TOKEN: ' config-test-admin-token-0123456789abcdef, second-token-of-a-rotation-0123456 ',
      MIGRATE_ON_START: 'yes',
      DB_POOL_SIZE: '25',
      TRUST_PROXY: 'loopback',
    });
    expect(config.http.port).toBe(8080);
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.app.timeZone).toBe('Europe/Berlin');
    expect(config.instance.serverId).toBe('replica-2.eu:1');
    expect(config.log.level).toBe('debug');
    expect(config.app.environment).toBe('production');
    expect(config.app.adminTokens).toEqual(['config-test-admin-token-0123456789abcdef', 'second-token-of-a-rotation-0123456']);
    expect(config.startup.migrateOnStart).toBe(true);
    expect(config.pool.size).toBe(25);
    expect(resolveClientAddress('127.0.0.1', '203.0.113.5', config.http.trustedProxies)).toBe('203.0.113.5');
  });

  it.each([
    ['1', true],
    ['true', true],
    ['ON', true],
    ['0', false],
    ['False', false],
    ['no', false],
    ['off', false],
  ])('reads MIGRATE_ON_START=%s as %s', (value, expected) => {
    expect(parse({ MIGRATE_ON_START: value }).startup.migrateOnStart).toBe(expected);
  });

  it('accepts the edges of a numeric range', () => {
    expect(parse({ PORT: '0' }).http.port).toBe(0);
    expect(parse({ PORT: '65535' }).http.port).toBe(65535);
  });
});

describe('DATABASE_URL', () => {
  it('gives host, port, URL-decoded credentials and the database name', () => {
    const config = parse({ DATABASE_URL: 'mysql://app%40tracker:p%40ss%3Aw%2Frd@db.example.com:3307/visit_tracker' });
    expect(config.database).toEqual({
      host: 'db.example.com',
      port: 3307,
      database: 'visit_tracker',
      user: 'app@tracker',
      password: 'p@ss:w/rd',
      tls: 'off',
    });
  });

  it('defaults the port to 3306', () => {
    expect(parse({ DATABASE_URL: 'mysql://app:secret@db/visits' }).database?.port).toBe(3306);
  });

  it('accepts a bracketed IPv6 host', () => {
    expect(parse({ DATABASE_URL: 'mysql://app@[::1]:3310/visits' }).database).toMatchObject({ host: '::1', port: 3310 });
  });

  it.each([
    ['DISABLED', 'off'],
    ['REQUIRED', 'required'],
    ['required', 'required'],
    ['VERIFY_CA', 'verify'],
    ['VERIFY_IDENTITY', 'verify'],
  ] as const)('maps ?ssl-mode=%s to tls %s', (mode, tls) => {
    expect(parse({ DATABASE_URL: `mysql://app@db/visits?ssl-mode=${mode}` }).database?.tls).toBe(tls);
  });

  it('lets ?ssl-mode override DB_TLS, and uses DB_TLS otherwise', () => {
    expect(parse({ DATABASE_URL: 'mysql://app@db/visits', DB_TLS: 'verify' }).database?.tls).toBe('verify');
    expect(parse({ DATABASE_URL: 'mysql://app@db/visits?ssl-mode=DISABLED', DB_TLS: 'verify' }).database?.tls).toBe('off');
  });

  it('rejects an unknown ssl-mode', () => {
    const error = configError({ DATABASE_URL: 'mysql://app@db/visits?ssl-mode=SOMETIMES' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).toContain('SOMETIMES');
  });

  it('requires a database name', () => {
    const error = configError({ DATABASE_URL: 'mysql://app@db:3306/' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^DATABASE_URL: .*database name/);
  });

  it('takes precedence over DB_HOST', () => {
    expect(parse({ DATABASE_URL: 'mysql://app@url-host/visits', DB_HOST: 'other-host' }).database?.host).toBe('url-host');
  });
});

describe('DB_HOST and friends', () => {
  it('builds the settings from separate variables', () => {
    const config = parse({
      DB_HOST: 'mysql.internal',
      DB_PORT: '3308',
      DB_NAME: 'visits',
      DB_USER: 'tracker',
      DB_PASSWORD: 'pa ss',
      DB_TLS: 'required',
    });
    expect(config.database).toEqual({
      host: 'mysql.internal',
      port: 3308,
      database: 'visits',
      user: 'tracker',
      password: 'pa ss',
      tls: 'required',
    });
  });

  it('requires DB_NAME and DB_USER, naming both', () => {
    const error = configError({ DB_HOST: 'mysql.internal' });
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^DB_NAME: /);
    expect(error.problems[1]).toMatch(/^DB_USER: /);
    expect(error.message).toContain('DB_HOST');
  });

  it('names only the one that is missing', () => {
    const error = configError({ DB_HOST: 'mysql.internal', DB_NAME: 'visits' });
    expect(error.problems).toEqual([expect.stringMatching(/^DB_USER: /)]);
  });
});

describe('bad values', () => {
  it.each([
    ['PORT', 'abc', /whole number from 0 to 65535/],
    ['PORT', '70000', /whole number from 0 to 65535/],
    ['PORT', '-1', /whole number/],
    ['PORT', '80.5', /whole number/],
    ['DB_POOL_SIZE', '0', /whole number from 1 to 200/],
    ['APP_TIMEZONE', 'Mars/Olympus', /IANA time zone/],
    ['TRUST_PROXY', 'not-an-ip', /IP addresses or CIDR ranges/],
    ['LOG_LEVEL', 'loud', /one of: debug, info, warn, error/],
    ['APP_ENV', 'prod', /one of: development, test, staging, production/],
    ['DB_TLS', 'maybe', /one of: off, required, verify/],
    ['DATABASE_URL', 'postgres://x/y', /mysql:\/\//],
    ['DATABASE_URL', 'not a url', /mysql:\/\//],
    ['SERVER_ID', 'has space', /letters, digits/],
    ['SERVER_ID', 'x'.repeat(65), /up to 64/],
    ['MIGRATE_ON_START', 'maybe', /true or false/],
    ['DB_NAME', 'bad-name!', /database name/],
  ])('%s=%j throws a ConfigError naming it and what it expects', (name, value, expected) => {
    const error = configError({ [name]: value });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem?.startsWith(`${name}: `)).toBe(true);
    expect(problem).toMatch(expected);
    expect(problem).toContain('expected');
    expect(error.message).toContain(problem);
  });

  it('reports every bad variable at once', () => {
    const error = configError({
      PORT: 'abc',
      APP_TIMEZONE: 'Mars/Olympus',
      TRUST_PROXY: 'not-an-ip',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'postgres://x/y',
      SERVER_ID: 'a b',
      MIGRATE_ON_START: 'maybe',
      HOST: '0.0.0.0', // fine: not reported
    });
    const named = error.problems.map((problem) => problem.split(':')[0]).sort();
    expect(named).toEqual(['APP_TIMEZONE', 'DATABASE_URL', 'LOG_LEVEL', 'MIGRATE_ON_START', 'PORT', 'SERVER_ID', 'TRUST_PROXY']);
    for (const name of named) expect(error.message).toContain(`${name}: `);
  });

  it('does not echo a password it is not asked about', () => {
    const error = configError({ DATABASE_URL: 'mysql://app:hunter2@db/visits', PORT: 'abc' });
    expect(error.message).not.toContain('hunter2');
  });
});

describe('CONFIG_VARIABLES', () => {
  it('names the variables the service reads, once each', () => {
    for (const name of [
      'DATABASE_URL',
      'DB_HOST',
      'DB_NAME',
      'DB_USER',
      'DB_PASSWORD',
      'PORT',
      'HOST',
      'APP_TIMEZONE',
      'TRUST_PROXY',
      'SERVER_ID',
      'LOG_LEVEL',
      'MIGRATE_ON_START',
    ]) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
    expect(new Set(CONFIG_VARIABLES).size).toBe(CONFIG_VARIABLES.length);
    for (const name of CONFIG_VARIABLES) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('lists exactly the variables declared in src/config', () => {
    const directory = new URL('../../src/config/', import.meta.url);
    const declared = new Set<string>();
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, directory), 'utf8');
      for (const [, name] of source.matchAll(/\bvariable\(\s*'([A-Z][A-Z0-9_]*)'/g)) declared.add(name as string);
    }
    expect(declared.size).toBeGreaterThan(20);
    // …and the secrets' file forms (src/config/secret-files.ts).
    expect([...new Set(CONFIG_VARIABLES)].sort()).toEqual([...declared, ...SECRET_FILE_VARIABLES].sort());
  });

  it('ignores variables it does not read', () => {
    // Any unknown variable is ignored rather than rejected.
    expect(parse({ PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).toEqual(parse({}));
  });
});

describe('secret files', () => {
  const files: Record<string, string> = { '/run/secrets/db_password': 'from-a-file\n', '/run/secrets/token': 'x'.repeat(40) };
  const read = (path: string) => {
    const content = files[path];
    if (content === undefined) throw new Error('ENOENT: no such file');
    return content;
  };

  it('reads NAME_FILE into NAME, without its trailing newline', () => {
    const env = withSecretFiles({ DB_PASSWORD_FILE: '/run/secrets/db_password', ADMIN_TOKEN_FILE: '/run/secrets/token' }, read);
    expect(env.DB_PASSWORD).toBe('from-a-file');
    expect(env.ADMIN_TOKEN).toBe('x'.repeat(40));
  });

  it('refuses both forms at once, and a file it cannot read, naming the variable and never the value', () => {
    let error: unknown;
    try {
      withSecretFiles(
        { DB_PASSWORD: 'hunter2', DB_PASSWORD_FILE: '/run/secrets/db_password', ADMIN_TOKEN_FILE: '/run/secrets/missing' },
        read,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'DB_PASSWORD_FILE: DB_PASSWORD is set too; set one of them, not both',
      expect.stringMatching(/^ADMIN_TOKEN_FILE: cannot read \/run\/secrets\/missing \(ENOENT/),
    ]);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('ADMIN_TOKEN', () => {
  it('is required in production, naming it and how to make one, and optional elsewhere', () => {
    const error = configError({ APP_ENV: 'production' });
    expect(error.problems).toEqual([
      expect.stringMatching(/^ADMIN_TOKEN: required when APP_ENV=production: .*openssl rand -hex 32/),
    ]);
    for (const environment of ['development', 'test', 'staging']) {
      expect(parse({ APP_ENV: environment }).app.adminTokens, environment).toEqual([]);
    }
  });

  it('refuses a short token without echoing it', () => {
    const error = configError({ ADMIN_TOKEN: 'long-enough-token-0123456789abcdef,short-secret' });
    expect(error.problems).toEqual([expect.stringMatching(/^ADMIN_TOKEN: expected tokens of at least 32 characters/)]);
    expect(error.message).not.toContain('short-secret');
  });
});

describe('secrets in error messages (regression)', () => {
  it('never echoes a password, in a URL or on its own', () => {
    let message = '';
    try {
      parseNodeSettings({ DATABASE_URL: 'mysqlx://app:hunter2@db/visits', DB_PORT: 'x' }, 's');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('mysqlx://app:***@db/visits');
    expect(message).not.toContain('hunter2');
  });
});

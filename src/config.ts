import * as v from 'valibot';
import { SERVER_ID_MAX_LENGTH } from '../db/schema';
import { parseTrustedProxies, type TrustedProxies } from './domain/client-ip';
import { IP_ANONYMIZATION_MODES, IP_HASH_KEY_MIN_LENGTH, type IpAnonymization } from './domain/ip-anonymizer';
import { isTimeZone } from './domain/time';

/**
 * Every environment variable the service reads, parsed once at start-up.
 * Runtimes pass their environment (process.env, a Worker's bindings) and get a typed
 * Config back, or a ConfigError naming each bad variable and what it expects.
 */

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;
export const APP_ENVS = ['development', 'test', 'staging', 'production'] as const;
const TLS_MODES = ['off', 'required', 'verify'] as const;

const text = (description: string) => v.pipe(v.string(), v.trim(), v.nonEmpty(`expected ${description}`));

const integer = (min: number, max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, `expected a whole number from ${min} to ${max}`),
      v.transform(Number),
      v.minValue(min, `expected a whole number from ${min} to ${max}`),
      v.maxValue(max, `expected a whole number from ${min} to ${max}`),
    ),
    String(fallback),
  );

const oneOf = <const T extends readonly string[]>(values: T, fallback: T[number]) =>
  v.optional(
    v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(values, `expected one of: ${values.join(', ')}`)),
    fallback,
  );

const flag = (fallback: boolean) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toLowerCase(),
      v.picklist(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], 'expected true or false'),
      v.transform((value) => ['1', 'true', 'yes', 'on'].includes(value)),
    ),
    String(fallback),
  );

const redisUrl = v.pipe(
  text('a redis:// URL'),
  v.check((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'expected a URL like redis://127.0.0.1:6379 or rediss://user:password@host:6380'),
);

function isDatabaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'mysql:' || url.protocol === 'mariadb:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const databaseUrl = v.pipe(
  text('a mysql:// URL'),
  v.check(isDatabaseUrl, 'expected a URL like mysql://user:password@host:3306/database'),
);

const splitUrls = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

// Checked as one string, before splitting, so an error message echoes it redacted.
const databaseUrlList = v.pipe(
  text('one or more mysql:// URLs separated by commas'),
  v.check(
    (value) => splitUrls(value).length > 0 && splitUrls(value).every(isDatabaseUrl),
    'expected mysql:// URLs separated by commas, e.g. mysql://user:password@replica-1:3306/visit_tracker,mysql://user:password@replica-2:3306/visit_tracker',
  ),
  v.transform(splitUrls),
);

const EnvSchema = v.object({
  DATABASE_URL: v.optional(databaseUrl),
  DATABASE_READ_URL: v.optional(databaseUrlList),
  DB_READ_TIMEOUT_MS: integer(50, 120_000, 2_000),
  DB_HOST: v.optional(text('a host name')),
  DB_PORT: integer(1, 65535, 3306),
  DB_NAME: v.optional(
    v.pipe(text('a database name'), v.regex(/^[A-Za-z0-9_$]{1,64}$/, 'expected a database name of letters, digits, _ or $')),
  ),
  DB_USER: v.optional(text('a user name')),
  DB_PASSWORD: v.optional(v.string()),
  DB_TLS: oneOf(TLS_MODES, 'off'),
  DB_POOL_SIZE: integer(1, 200, 10),
  DB_QUEUE_LIMIT: integer(0, 100_000, 500),
  DB_CONNECT_TIMEOUT_MS: integer(100, 120_000, 5_000),
  HEALTH_TIMEOUT_MS: integer(50, 30_000, 1_000),
  PORT: integer(0, 65535, 3000),
  HOST: v.optional(text('an address to listen on, e.g. 127.0.0.1 or 0.0.0.0'), '127.0.0.1'),
  APP_ENV: oneOf(APP_ENVS, 'development'),
  APP_TIMEZONE: v.optional(
    v.pipe(text('an IANA time zone'), v.check(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Paris')),
    'UTC',
  ),
  TRUST_PROXY: v.optional(
    v.pipe(
      v.string(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const proxies = parseTrustedProxies(dataset.value);
        if (proxies !== undefined) return proxies;
        addIssue({ message: 'expected a comma-separated list of IP addresses or CIDR ranges, or the words loopback / private' });
        return NEVER;
      }),
    ),
    '',
  ),
  SERVER_ID: v.optional(
    v.pipe(
      text('a server id'),
      v.regex(
        new RegExp(`^[A-Za-z0-9._:-]{1,${SERVER_ID_MAX_LENGTH}}$`),
        `expected up to ${SERVER_ID_MAX_LENGTH} letters, digits, '.', '_', ':' or '-'`,
      ),
    ),
  ),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  // No fallback here: unset means "from APP_ENV" (pretty in development, JSON elsewhere).
  LOG_FORMAT: v.optional(
    v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(LOG_FORMATS, `expected one of: ${LOG_FORMATS.join(', ')}`)),
  ),
  SLOW_QUERY_MS: integer(0, 600_000, 500),
  MIGRATE_ON_START: flag(false),
  DATA_DIR: v.optional(text('a directory path'), '.data'),
  SHUTDOWN_TIMEOUT_MS: integer(0, 120_000, 8_000),
  KEEP_ALIVE_TIMEOUT_MS: integer(1_000, 600_000, 65_000),
  // No fixed default: truncate in production, off elsewhere (see ipAnonymization below).
  IP_ANONYMIZE: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toLowerCase(),
      v.picklist(IP_ANONYMIZATION_MODES, `expected one of: ${IP_ANONYMIZATION_MODES.join(', ')}`),
    ),
  ),
  IP_HASH_KEY: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.minLength(
        IP_HASH_KEY_MIN_LENGTH,
        `expected at least ${IP_HASH_KEY_MIN_LENGTH} characters, e.g. from openssl rand -hex 32`,
      ),
    ),
  ),
  RETENTION_DAYS: integer(0, 36_500, 0),
  STATS_CACHE_TTL_MS: integer(0, 60_000, 2_000),
  COUNTS_SETTLE_MS: integer(0, 3_600_000, 60_000),
  REDIS_URL: v.optional(redisUrl),
});

/** The variable names the service reads; compose.yml and .env.example are checked against this list. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.entries) as (keyof typeof EnvSchema.entries)[];

/** The variables that say where the database is and how to reach it. */
export const DATABASE_LOCATION_VARIABLES = [
  'DATABASE_URL',
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_USER',
  'DB_PASSWORD',
  'DB_TLS',
  'DATABASE_READ_URL',
] as const satisfies readonly (typeof CONFIG_VARIABLES)[number][];

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type AppEnvironment = (typeof APP_ENVS)[number];

export interface DatabaseSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  tls: (typeof TLS_MODES)[number];
}

export interface Config {
  /** undefined: no database configured; `npm start` then starts a private one. */
  database: DatabaseSettings | undefined;
  pool: { size: number; queueLimit: number; connectTimeoutMs: number };
  healthTimeoutMs: number;
  port: number;
  host: string;
  environment: AppEnvironment;
  timeZone: string;
  trustedProxies: TrustedProxies;
  serverId: string;
  logLevel: LogLevel;
  /** `json` lines for machines, or `pretty` lines for a terminal. */
  logFormat: LogFormat;
  /** A database statement slower than this is logged with its SQL shape (never its values). */
  slowQueryMs: number;
  migrateOnStart: boolean;
  /** Where `npm start` keeps its private database when no database is configured. */
  dataDir: string;
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How client addresses are stored (IP_ANONYMIZE, IP_HASH_KEY). */
  ipAnonymization: IpAnonymization;
  /** Whole days of visits `npm run db:purge` keeps; 0 keeps them forever. */
  retentionDays: number;
  /** Read replicas for the reads that tolerate lag (DATABASE_READ_URL); empty: the primary serves every read. */
  readReplicas: DatabaseSettings[];
  /** A replica read (or connection) slower than this is given up and served by the primary. */
  readTimeoutMs: number;
  /** How long after a quarter hour ends its counters are taken as final (src/data/day-counts.ts); 0: never. */
  countsSettleMs: number;
  /** How long /api/stats figures may be served from the cache; 0 turns the cache off. */
  statsCacheTtlMs: number;
  /** A shared cache for several replicas; undefined: each process caches on its own. */
  redisUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
        'Fix these environment variables (see .env.example for every variable and its default) and start again.',
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment. `defaults.serverId` is the runtime's own name for this instance. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, defaults: { serverId: string }): Config {
  // Empty strings mean "unset", as in most .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(EnvSchema, present);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => {
        const name = v.getDotPath(issue) ?? 'environment';
        return `${name}: ${issue.message} (got ${JSON.stringify(redact(name, issue.input))})`;
      }),
    );
  }
  const vars = result.output;
  return {
    database: databaseSettings(vars),
    pool: { size: vars.DB_POOL_SIZE, queueLimit: vars.DB_QUEUE_LIMIT, connectTimeoutMs: vars.DB_CONNECT_TIMEOUT_MS },
    healthTimeoutMs: vars.HEALTH_TIMEOUT_MS,
    port: vars.PORT,
    host: vars.HOST,
    environment: vars.APP_ENV,
    timeZone: vars.APP_TIMEZONE,
    trustedProxies: vars.TRUST_PROXY,
    serverId: vars.SERVER_ID ?? defaults.serverId.slice(0, SERVER_ID_MAX_LENGTH),
    logLevel: vars.LOG_LEVEL,
    logFormat: vars.LOG_FORMAT ?? (vars.APP_ENV === 'development' ? 'pretty' : 'json'),
    slowQueryMs: vars.SLOW_QUERY_MS,
    migrateOnStart: vars.MIGRATE_ON_START,
    dataDir: vars.DATA_DIR,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    keepAliveTimeoutMs: vars.KEEP_ALIVE_TIMEOUT_MS,
    ipAnonymization: ipAnonymization(vars),
    retentionDays: vars.RETENTION_DAYS,
    readReplicas: (vars.DATABASE_READ_URL ?? []).map((url) => databaseSettingsFromUrl(url, vars.DB_TLS, 'DATABASE_READ_URL')),
    readTimeoutMs: vars.DB_READ_TIMEOUT_MS,
    statsCacheTtlMs: vars.STATS_CACHE_TTL_MS,
    countsSettleMs: vars.COUNTS_SETTLE_MS,
    redisUrl: vars.REDIS_URL,
  };
}

type ParsedEnv = v.InferOutput<typeof EnvSchema>;

/** Production stores no full address unless told to; development and tests see real ones. */
function ipAnonymization(vars: ParsedEnv): IpAnonymization {
  const mode = vars.IP_ANONYMIZE ?? (vars.APP_ENV === 'production' ? 'truncate' : 'off');
  if (mode !== 'hash') return { mode };
  if (vars.IP_HASH_KEY === undefined) {
    throw new ConfigError([
      `IP_HASH_KEY: required when IP_ANONYMIZE=hash; set it to a secret of at least ${IP_HASH_KEY_MIN_LENGTH} characters (openssl rand -hex 32), the same on every replica (on the Worker: npx wrangler secret put IP_HASH_KEY)`,
    ]);
  }
  return { mode, key: vars.IP_HASH_KEY };
}

function databaseSettings(vars: ParsedEnv): DatabaseSettings | undefined {
  if (vars.DATABASE_URL !== undefined) return databaseSettingsFromUrl(vars.DATABASE_URL, vars.DB_TLS);
  if (vars.DB_HOST === undefined) return undefined;
  const missing = (['DB_NAME', 'DB_USER'] as const).filter((name) => vars[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((name) => `${name}: required when DB_HOST is set (or give DATABASE_URL instead)`));
  }
  return {
    host: vars.DB_HOST,
    port: vars.DB_PORT,
    database: vars.DB_NAME ?? '',
    user: vars.DB_USER ?? '',
    password: vars.DB_PASSWORD ?? '',
    tls: vars.DB_TLS,
  };
}

/** Settings from a mysql:// URL; `?ssl-mode=` in the URL overrides DB_TLS. */
export function databaseSettingsFromUrl(
  text: string,
  defaultTls: DatabaseSettings['tls'] = 'off',
  variable = 'DATABASE_URL',
): DatabaseSettings {
  const url = new URL(text);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') {
    throw new ConfigError([
      `${variable}: expected a database name after the host, e.g. mysql://user:password@host:3306/visit_tracker`,
    ]);
  }
  const sslMode = url.searchParams.get('ssl-mode') ?? url.searchParams.get('sslMode');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 3306 : Number(url.port),
    database,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    tls: sslMode === null ? defaultTls : tlsModeFromUrl(sslMode, variable),
  };
}

/** Error messages end up in logs: never echo a password, alone or inside a URL. */
function redact(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/PASSWORD|SECRET|TOKEN|KEY/.test(name)) return '***';
  // Global: DATABASE_READ_URL may hold several URLs, each with its password.
  return value.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, '$1***@');
}

function tlsModeFromUrl(sslMode: string, variable: string): DatabaseSettings['tls'] {
  switch (sslMode.toUpperCase()) {
    case 'DISABLED':
      return 'off';
    case 'REQUIRED':
    case 'PREFERRED':
      return 'required';
    case 'VERIFY_CA':
    case 'VERIFY_IDENTITY':
      return 'verify';
    default:
      throw new ConfigError([`${variable}: ssl-mode must be DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY (got ${sslMode})`]);
  }
}

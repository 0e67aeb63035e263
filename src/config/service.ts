import * as v from 'valibot';
import { IP_ANONYMIZATION_MODES, IP_HASH_KEY_MIN_LENGTH, type IpAnonymization } from '../domain/ip-anonymizer';
import { parseRateLimit } from '../domain/rate-limit';
import { isTimeZone } from '../domain/time';
import { SERVER_ID_MAX_LENGTH } from '../domain/visit';
import { integer, oneOf, optionalOneOf, type Settings, section, text, variable } from './variables';

/**
 * The settings of the service itself, the same on Node and on the Worker (which reads them from
 * its `vars` and secrets). Node-only settings are in node.ts; the Worker never parses those.
 */

export const APP_ENVS = ['development', 'test', 'staging', 'production'] as const;
export type AppEnvironment = (typeof APP_ENVS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

// Read by more than one section, so declared once.
const APP_ENV = variable('APP_ENV', oneOf(APP_ENVS, 'development'));
const LOG_LEVEL = variable('LOG_LEVEL', oneOf(LOG_LEVELS, 'info'));

/** RATE_LIMIT's default where the service faces the public: a person never reloads twice a second for a minute. */
export const DEFAULT_RATE_LIMIT = { burst: 120, perMinute: 120 } as const;

/** A token is a password that is never typed: long enough that guessing it is hopeless. */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

/** ADMIN_TOKEN: one or more, comma-separated, so a new one can be rolled out before the old one goes. */
const adminTokens = v.optional(
  v.pipe(
    v.string(),
    v.transform((value) =>
      value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token !== ''),
    ),
    v.check(
      (tokens) => tokens.every((token) => token.length >= ADMIN_TOKEN_MIN_LENGTH),
      `expected tokens of at least ${ADMIN_TOKEN_MIN_LENGTH} characters each, comma-separated (openssl rand -hex 32 makes one)`,
    ),
  ),
  '',
);

/** What the handlers show and compute with. */
export const appSettings = section(
  {
    environment: APP_ENV,
    adminTokens: variable('ADMIN_TOKEN', adminTokens),
    timeZone: variable(
      'APP_TIMEZONE',
      v.optional(
        v.pipe(text('an IANA time zone'), v.check(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Paris')),
        'UTC',
      ),
    ),
    logLevel: LOG_LEVEL,
    // How long a request may wait on the database in all (a connection, the queue, its
    // statements) before it is answered 503 with Retry-After: a hung database turns into quick
    // refusals, not into requests that wait as long as the hang. /health has HEALTH_TIMEOUT_MS.
    databaseDeadlineMs: variable('DB_REQUEST_TIMEOUT_MS', integer(100, 120_000, 5_000)),
    // Per client address on the recording routes and sign-in; unset: DEFAULT_RATE_LIMIT where
    // the service faces the public (production, staging), off on a workstation (development, test).
    rateLimit: variable(
      'RATE_LIMIT',
      v.optional(
        v.pipe(
          v.string(),
          v.check(
            (value) => parseRateLimit(value) !== undefined,
            'expected requests per client address, e.g. 120/min or 5/s, or off',
          ),
          v.transform((value) => parseRateLimit(value) ?? 'off'),
        ),
      ),
    ),
  },
  ({ environment, adminTokens, timeZone, logLevel, databaseDeadlineMs, rateLimit }, problem) => {
    // A production server without a token would show private figures to nobody and could not be
    // administered: a deployment that forgot the secret stops here rather than running closed.
    if (environment === 'production' && adminTokens.length === 0) {
      problem(
        'ADMIN_TOKEN',
        `required when APP_ENV=production: one or more tokens of at least ${ADMIN_TOKEN_MIN_LENGTH} characters, comma-separated (openssl rand -hex 32 makes one); in .env for Compose and npm run stack, with npx wrangler secret put ADMIN_TOKEN --config deploy/wrangler.jsonc on the Worker`,
      );
    }
    const publicFacing = environment === 'production' || environment === 'staging';
    return {
      environment,
      adminTokens,
      timeZone,
      debug: logLevel === 'debug',
      databaseDeadlineMs,
      rateLimit: rateLimit ?? (publicFacing ? DEFAULT_RATE_LIMIT : ('off' as const)),
    };
  },
);
export type AppSettings = Settings<typeof appSettings>;

export const logSettings = section(
  {
    level: LOG_LEVEL,
    // No fallback here: unset means "from APP_ENV" (pretty in development, JSON elsewhere).
    format: variable('LOG_FORMAT', optionalOneOf(LOG_FORMATS)),
    environment: APP_ENV,
  },
  ({ level, format, environment }) => ({
    level,
    format: format ?? (environment === 'development' ? 'pretty' : 'json'),
  }),
);
export type LogSettings = Settings<typeof logSettings>;

/** This instance's name in responses and stored visits; each runtime has its own default. */
export const instanceSettings = (defaultServerId: string) =>
  section(
    {
      serverId: variable(
        'SERVER_ID',
        v.optional(
          v.pipe(
            text('a server id'),
            v.regex(
              new RegExp(`^[A-Za-z0-9._:-]{1,${SERVER_ID_MAX_LENGTH}}$`),
              `expected up to ${SERVER_ID_MAX_LENGTH} letters, digits, '.', '_', ':' or '-'`,
            ),
          ),
        ),
      ),
    },
    ({ serverId }) => ({ serverId: serverId ?? defaultServerId.slice(0, SERVER_ID_MAX_LENGTH) }),
  );

/** How the visit store caches and keeps figures (src/services/visit-store.ts). */
export const storeSettings = section({
  /** How long /api/stats figures may be served from the cache; 0 turns the cache off. */
  statsCacheTtlMs: variable('STATS_CACHE_TTL_MS', integer(0, 60_000, 2_000)),
  /** How long after a quarter hour ends its counters are taken as final (src/services/day-counter.ts); 0: never. */
  countsSettleMs: variable('COUNTS_SETTLE_MS', integer(0, 3_600_000, 60_000)),
});
export type StoreSettings = Settings<typeof storeSettings>;

/** How client addresses are stored (IP_ANONYMIZE, IP_HASH_KEY): production keeps no full address unless told to. */
export const privacySettings = section(
  {
    // No fixed default: truncate in production, off elsewhere.
    mode: variable('IP_ANONYMIZE', optionalOneOf(IP_ANONYMIZATION_MODES)),
    key: variable(
      'IP_HASH_KEY',
      v.optional(
        v.pipe(
          v.string(),
          v.trim(),
          v.minLength(
            IP_HASH_KEY_MIN_LENGTH,
            `expected at least ${IP_HASH_KEY_MIN_LENGTH} characters, e.g. from openssl rand -hex 32`,
          ),
        ),
      ),
    ),
    environment: APP_ENV,
  },
  ({ mode, key, environment }, problem): { ipAnonymization: IpAnonymization } => {
    const chosen = mode ?? (environment === 'production' ? 'truncate' : 'off');
    if (chosen !== 'hash') return { ipAnonymization: { mode: chosen } };
    if (key === undefined) {
      problem(
        'IP_HASH_KEY',
        `required when IP_ANONYMIZE=hash; set it to a secret of at least ${IP_HASH_KEY_MIN_LENGTH} characters (openssl rand -hex 32), the same on every replica (on the Worker: npx wrangler secret put IP_HASH_KEY)`,
      );
    }
    return { ipAnonymization: { mode: 'hash', key: key ?? '' } };
  },
);

export const healthSettings = section({
  /** How long /health waits for SELECT 1 before answering 503 "unreachable". */
  timeoutMs: variable('HEALTH_TIMEOUT_MS', integer(50, 30_000, 1_000)),
});

/** Also part of the Node pool's settings (node.ts). */
export const DB_CONNECT_TIMEOUT_MS = variable('DB_CONNECT_TIMEOUT_MS', integer(100, 120_000, 5_000));

export const connectSettings = section({ connectTimeoutMs: DB_CONNECT_TIMEOUT_MS });

/** The sections both runtimes parse; the SERVER_ID default is the runtime's. */
export function serviceSections(defaultServerId: string) {
  return {
    app: appSettings,
    log: logSettings,
    instance: instanceSettings(defaultServerId),
    store: storeSettings,
    privacy: privacySettings,
    health: healthSettings,
    connect: connectSettings,
  };
}

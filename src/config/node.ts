import * as v from 'valibot';
import { parseTrustedProxies } from '../domain/client-ip';
import { type DatabaseSettings, databaseSettingsFromUrl, databaseUrl, isDatabaseUrl, TLS_MODES } from './database';
import { DB_CONNECT_TIMEOUT_MS } from './service';
import { flag, integer, oneOf, type Settings, section, text, variable } from './variables';

/**
 * Settings only the Node runtime reads: where its database is, its pools, replicas, cache and
 * HTTP server. The Worker gets its database from the Hyperdrive binding and never parses these.
 */

const DB_TLS = variable('DB_TLS', oneOf(TLS_MODES, 'off'));

/** The primary: DATABASE_URL, or DB_HOST with DB_NAME and DB_USER; undefined when neither is set. */
export const databaseLocation = section(
  {
    url: variable('DATABASE_URL', v.optional(databaseUrl)),
    host: variable('DB_HOST', v.optional(text('a host name'))),
    port: variable('DB_PORT', integer(1, 65535, 3306)),
    name: variable(
      'DB_NAME',
      v.optional(
        v.pipe(text('a database name'), v.regex(/^[A-Za-z0-9_$]{1,64}$/, 'expected a database name of letters, digits, _ or $')),
      ),
    ),
    user: variable('DB_USER', v.optional(text('a user name'))),
    password: variable('DB_PASSWORD', v.optional(v.string())),
    tls: DB_TLS,
  },
  ({ url, host, port, name, user, password, tls }, problem): DatabaseSettings | undefined => {
    if (url !== undefined) return databaseSettingsFromUrl(url, tls);
    if (host === undefined) return undefined;
    if (name === undefined) problem('DB_NAME', 'required when DB_HOST is set (or give DATABASE_URL instead)');
    if (user === undefined) problem('DB_USER', 'required when DB_HOST is set (or give DATABASE_URL instead)');
    return { host, port, database: name ?? '', user: user ?? '', password: password ?? '', tls };
  },
);

/** The variables that say where the database is and how to reach it (the local stack and dev:edge set these themselves). */
export const DATABASE_LOCATION_VARIABLES = [...databaseLocation.variables, 'DATABASE_READ_URL'];

const splitUrls = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

export const poolSettings = section({
  /** Connections per process; replicas × size must stay below the server's max_connections. */
  size: variable('DB_POOL_SIZE', integer(1, 200, 10)),
  /** Requests that may wait for a free connection before failing fast (0: unbounded). */
  queueLimit: variable('DB_QUEUE_LIMIT', integer(0, 100_000, 500)),
  connectTimeoutMs: DB_CONNECT_TIMEOUT_MS,
  /** A statement slower than this is logged with its SQL shape (never its values). */
  slowQueryMs: variable('SLOW_QUERY_MS', integer(0, 600_000, 500)),
});
export type PoolSettings = Settings<typeof poolSettings>;

/** Read replicas for the reads that tolerate lag (DATABASE_READ_URL); none: the primary serves every read. */
export const replicaSettings = section(
  {
    // Checked as one string, before splitting, so an error message echoes it redacted.
    urls: variable(
      'DATABASE_READ_URL',
      v.optional(
        v.pipe(
          text('one or more mysql:// URLs separated by commas'),
          v.check(
            (value) => splitUrls(value).length > 0 && splitUrls(value).every(isDatabaseUrl),
            'expected mysql:// URLs separated by commas, e.g. mysql://user:password@replica-1:3306/visit_tracker,mysql://user:password@replica-2:3306/visit_tracker',
          ),
          v.transform(splitUrls),
        ),
      ),
    ),
    /** A replica read (or connection) slower than this is given up and served by the primary. */
    readTimeoutMs: variable('DB_READ_TIMEOUT_MS', integer(50, 120_000, 2_000)),
    tls: DB_TLS,
  },
  ({ urls, readTimeoutMs, tls }) => ({
    replicas: (urls ?? []).map((url) => databaseSettingsFromUrl(url, tls, 'DATABASE_READ_URL')),
    readTimeoutMs,
  }),
);
export type ReplicaSettings = Settings<typeof replicaSettings>;

export const httpSettings = section({
  port: variable('PORT', integer(0, 65535, 3000)),
  host: variable('HOST', v.optional(text('an address to listen on, e.g. 127.0.0.1 or 0.0.0.0'), '127.0.0.1')),
  /** Must outlast the proxy's upstream keep-alive (nginx: 60 s). */
  keepAliveTimeoutMs: variable('KEEP_ALIVE_TIMEOUT_MS', integer(1_000, 600_000, 65_000)),
  /** On SIGTERM, how long requests in flight may take before their sockets are closed. */
  shutdownTimeoutMs: variable('SHUTDOWN_TIMEOUT_MS', integer(0, 120_000, 8_000)),
  /** Proxies whose X-Forwarded-For is believed; none: the socket's peer is the client. */
  trustedProxies: variable(
    'TRUST_PROXY',
    v.optional(
      v.pipe(
        v.string(),
        v.rawTransform(({ dataset, addIssue, NEVER }) => {
          const proxies = parseTrustedProxies(dataset.value);
          if (proxies !== undefined) return proxies;
          addIssue({
            message: 'expected a comma-separated list of IP addresses or CIDR ranges, or the words loopback / private',
          });
          return NEVER;
        }),
      ),
      '',
    ),
  ),
  /**
   * The header in which a trusted proxy names the client's country (CF-IPCountry behind
   * Cloudflare, or what nginx's GeoIP2 module is set to send). Unset: no country on Node. From
   * any other peer the header is ignored, so a client cannot claim one.
   */
  countryHeader: variable(
    'COUNTRY_HEADER',
    v.optional(v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9-]+$/, 'expected a header name such as CF-IPCountry'))),
  ),
});
export type HttpSettings = Settings<typeof httpSettings>;

export const startupSettings = section({
  /** Apply pending migrations before serving (as `--migrate` does). */
  migrateOnStart: variable('MIGRATE_ON_START', flag(false)),
});

/** A shared cache for several replicas; undefined: each process caches on its own. */
export const sharedCacheSettings = section({
  redisUrl: variable(
    'REDIS_URL',
    v.optional(
      v.pipe(
        text('a redis:// URL'),
        v.check((value) => {
          try {
            const url = new URL(value);
            return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
          } catch {
            return false;
          }
        }, 'expected a URL like redis://127.0.0.1:6379 or rediss://user:password@host:6380'),
      ),
    ),
  ),
});

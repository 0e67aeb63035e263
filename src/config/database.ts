import * as v from 'valibot';
import { ConfigError, text } from './variables';

/** Where a MySQL-compatible database is and how to log in: a URL's parts, or DB_HOST and friends. */
export interface DatabaseSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  tls: TlsMode;
}

export const TLS_MODES = ['off', 'required', 'verify'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export function isDatabaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'mysql:' || url.protocol === 'mariadb:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const databaseUrl = v.pipe(
  text('a mysql:// URL'),
  v.check(isDatabaseUrl, 'expected a URL like mysql://user:password@host:3306/database'),
);

/** Settings from a mysql:// URL; `?ssl-mode=` in the URL overrides `defaultTls` (DB_TLS). */
export function databaseSettingsFromUrl(text: string, defaultTls: TlsMode = 'off', variable = 'DATABASE_URL'): DatabaseSettings {
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

/**
 * A replica reached with the primary's password when its URL gives none: the app user and its
 * password reach the replicas through replication, and so DATABASE_READ_URL needs no secret in
 * it (the password then comes from DB_PASSWORD, DB_PASSWORD_FILE or DATABASE_URL).
 */
export function withPrimaryPassword(replica: DatabaseSettings, primary: DatabaseSettings): DatabaseSettings {
  return replica.password === '' ? { ...replica, password: primary.password } : replica;
}

/** A mysql:// URL for the settings (credentials percent-encoded), for tools that take one. */
export function databaseUrlOf(settings: DatabaseSettings): string {
  const user = encodeURIComponent(settings.user);
  const password = settings.password === '' ? '' : `:${encodeURIComponent(settings.password)}`;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return `mysql://${user}${password}@${host}:${settings.port}/${encodeURIComponent(settings.database)}`;
}

/** host and database name for /info and logs: never the user or password. */
export function describeDatabase(settings: DatabaseSettings): { host: string; name: string } {
  return { host: `${settings.host}:${settings.port}`, name: settings.database };
}

function tlsModeFromUrl(sslMode: string, variable: string): TlsMode {
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

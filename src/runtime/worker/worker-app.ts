import type { Context, Hono } from 'hono';
import { createMemoryCache } from '../../app/cache';
import { createApp } from '../../app/create-app';
import type { AppDependencies } from '../../app/dependencies';
import { UNSHARED } from '../../app/fresh-reads';
import { createLogger } from '../../app/logger';
import { primaryOnly } from '../../app/read-replicas';
import { type Config, parseConfig } from '../../config';
import { createDayCounter } from '../../data/day-counts';
import type { Database } from '../../data/visits';
import { recordVisit } from '../../data/visits';
import { parseTrustedProxies } from '../../domain/client-ip';
import { APP_VERSION } from '../../version';
import type { WorkerEnv } from './env';
import { stringVariables } from './env';

/**
 * Set by deploy/wrangler.jsonc's `define` to its compatibility_date: workerd has no version a
 * Worker can read, and the compatibility date is what decides how it behaves.
 */
declare const WORKER_COMPATIBILITY_DATE: string | undefined;

export interface WorkerAppOptions {
  env: WorkerEnv;
  /** The data centre this isolate runs in (request.cf.colo of its first request). */
  colo: string | undefined;
  /** The request's own database; see request-database.ts. */
  database: (c: Context) => Database;
}

export interface WorkerApp {
  app: Hono;
  config: Config;
}

// CF-Connecting-IP is written by Cloudflare's edge and is the client itself, so no hop is
// trusted and X-Forwarded-For, which any client can send, is never read.
const NO_TRUSTED_PROXIES = parseTrustedProxies('') ?? { description: '', ranges: [] };

/**
 * The Worker's dependencies: a connection per request, CF-Connecting-IP as the client, the
 * data centre plus an instance id as the server. Built on an isolate's first request: env
 * and request.cf are not available earlier, and workerd refuses random values at start-up.
 */
export function createWorkerApp(options: WorkerAppOptions): WorkerApp {
  const serverId = `${options.colo ?? 'edge'}-${crypto.randomUUID().slice(0, 8)}`;
  const config = parseConfig(stringVariables(options.env), { serverId });
  const binding = options.env.HYPERDRIVE;
  const deps: AppDependencies = {
    database: options.database,
    // Hyperdrive is one origin: DATABASE_READ_URL does not apply here (README, "Read replicas").
    readReplicas: primaryOnly(options.database),
    clock: () => new Date(),
    serverId: config.serverId,
    peerAddress: (c) => c.req.header('cf-connecting-ip'),
    logger: createLogger(config.logLevel, (line) => console.log(line), { server_id: config.serverId }, config.logFormat),
    runtime: { name: 'workerd', version: typeof WORKER_COMPATIBILITY_DATE === 'string' ? WORKER_COMPATIBILITY_DATE : 'unknown' },
    appVersion: APP_VERSION,
    startedAt: new Date(),
    // workerd has no shutdown signal: an isolate is evicted when idle, between requests.
    isDraining: () => false,
    // Per isolate; no single flight across requests (see createMemoryCache).
    statsCache: createMemoryCache({ singleFlight: false }),
    // Per isolate, for the one origin behind Hyperdrive.
    recordVisit: (c, visit) => recordVisit(options.database(c), visit),
    freshReads: UNSHARED,
    dayCounter: createDayCounter(config.countsSettleMs),
    config: {
      environment: config.environment,
      timeZone: config.timeZone,
      trustedProxies: NO_TRUSTED_PROXIES,
      debug: config.logLevel === 'debug',
      healthTimeoutMs: config.healthTimeoutMs,
      // IP_ANONYMIZE from "vars", IP_HASH_KEY from a secret (`wrangler secret put`): both reach env as strings.
      ipAnonymization: config.ipAnonymization,
      statsCacheTtlMs: config.statsCacheTtlMs,
      // Hyperdrive's host and the database name, never its credentials.
      database: { host: `${binding.host}:${binding.port}`, name: binding.database },
    },
  };
  return { app: createApp(deps), config };
}

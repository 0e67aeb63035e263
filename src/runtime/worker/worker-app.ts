import type { Hono } from 'hono';
import { createApp } from '../../app/create-app';
import { createLogger } from '../../app/logging/logger';
import { serviceSections } from '../../config/service';
import { parseSettings } from '../../config/variables';
import type { VisitDatabase } from '../../data/visit-database';
import { countryOf, parseTrustedProxies, resolveClientAddress } from '../../domain/client-ip';
import type { RateLimitSetting } from '../../domain/rate-limit';
import { createHealthProbe } from '../../services/health';
import { bindingRateLimiter, memoryRateLimiter, type RateLimitBinding, type RateLimiter } from '../../services/rate-limiter';
import { primaryOnly } from '../../services/read-routing';
import { createSiteStats } from '../../services/site-stats';
import { createSiteTracker } from '../../services/site-tracker';
import { createVisitStore } from '../../services/visit-store';
import { APP_VERSION } from '../../version';
import { stringVariables, type WorkerEnv } from './env';

/**
 * Set by deploy/wrangler.jsonc's `define` to its compatibility_date: workerd has no version a
 * Worker can read, and the compatibility date is what decides how it behaves.
 */
declare const WORKER_COMPATIBILITY_DATE: string | undefined;

export interface WorkerAppOptions {
  env: WorkerEnv;
  /** The data centre this isolate runs in (request.cf.colo of its first request). */
  colo: string | undefined;
  /** The database of the request being served (index.ts opens one per request). */
  database: () => VisitDatabase;
}

export interface WorkerApp {
  app: Hono;
  /** DB_CONNECT_TIMEOUT_MS, for the per-request connection. */
  connectTimeoutMs: number;
}

// CF-Connecting-IP is written by Cloudflare's edge and is the client itself, so no hop is
// trusted and X-Forwarded-For, which any client can send, is never read.
const NO_TRUSTED_PROXIES = parseTrustedProxies('') ?? { description: '', ranges: [] };

/**
 * The Worker's app: the service's settings from `vars` (Node-only variables are not read
 * here), a store whose every request does its own I/O (workerd forbids sharing it), the data
 * centre plus an instance id as the server. Built on an isolate's first request: env and
 * request.cf are not available earlier, and workerd refuses random values at start-up.
 */
export function createWorkerApp(options: WorkerAppOptions): WorkerApp {
  const defaultServerId = `${options.colo ?? 'edge'}-${crypto.randomUUID().slice(0, 8)}`;
  // IP_ANONYMIZE from "vars", IP_HASH_KEY from a secret (`wrangler secret put`): both reach env as strings.
  const settings = parseSettings(stringVariables(options.env), serviceSections(defaultServerId));
  const { serverId } = settings.instance;
  const clock = () => new Date();
  const binding = options.env.HYPERDRIVE;
  const store = createVisitStore({
    primary: options.database,
    sharedIo: false,
    ...settings.store,
    ...settings.privacy,
    timeZone: settings.app.timeZone,
    serverId,
    clock,
  });
  const app = createApp({
    store,
    sites: createSiteTracker({ primary: options.database, sharedIo: false }),
    siteStats: createSiteStats({ reads: primaryOnly(options.database), clock }),
    health: createHealthProbe({ store, ...settings.health }),
    rateLimiter: workerRateLimiter(options.env, settings.app.rateLimit),
    logger: createLogger(settings.log.level, (line) => console.log(line), { server_id: serverId }, settings.log.format),
    clock,
    instance: {
      serverId,
      runtime: {
        name: 'workerd',
        version: typeof WORKER_COMPATIBILITY_DATE === 'string' ? WORKER_COMPATIBILITY_DATE : 'unknown',
      },
      appVersion: APP_VERSION,
      startedAt: new Date(),
      // Hyperdrive's host and the database name, never its credentials.
      database: { host: `${binding.host}:${binding.port}`, name: binding.database },
    },
    settings: settings.app,
    clientAddress: (c) => resolveClientAddress(c.req.header('cf-connecting-ip'), undefined, NO_TRUSTED_PROXIES),
    clientCountry: (c) => countryOf((c.req.raw as { cf?: { country?: unknown } }).cf?.country),
  });
  return { app, connectTimeoutMs: settings.connect.connectTimeoutMs };
}

/**
 * RATE_LIMIT on the Worker: Cloudflare's rate-limiting binding where deploy/wrangler.jsonc
 * declares one (counted across isolates; its limit and period are the binding's), else the
 * same in-memory buckets as on Node, per isolate (locally, and where no binding is set up).
 */
function workerRateLimiter(env: WorkerEnv, setting: RateLimitSetting): RateLimiter | undefined {
  if (setting === 'off') return undefined;
  const binding = env.RATE_LIMITER;
  if (isRateLimitBinding(binding)) return bindingRateLimiter(binding, RATE_LIMIT_BINDING_PERIOD_SECONDS);
  return memoryRateLimiter(setting);
}

/** The period of the binding in deploy/wrangler.jsonc (Cloudflare allows 10 or 60 s). */
const RATE_LIMIT_BINDING_PERIOD_SECONDS = 60;

function isRateLimitBinding(value: unknown): value is RateLimitBinding {
  return typeof value === 'object' && value !== null && typeof (value as { limit?: unknown }).limit === 'function';
}

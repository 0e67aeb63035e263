import type { Context } from 'hono';
import type { AppSettings } from '../config/service';
import type { HealthProbe } from '../services/health';
import type { RateLimiter } from '../services/rate-limiter';
import type { SiteStats } from '../services/site-stats';
import type { SiteTracker } from '../services/site-tracker';
import type { VisitStore } from '../services/visit-store';
import type { Logger } from './logging/logger';
import type { AppMetrics } from './metrics';

/**
 * Everything the handlers need from the outside world. Each runtime (Node, workerd, the tests)
 * builds one of these; the handlers never import a runtime, and never see how the store
 * batches, caches or routes its work.
 */
export interface AppDependencies {
  /** Records visits and reads figures (src/services/visit-store.ts). */
  store: VisitStore;
  /** Tracked sites' page views (src/services/site-tracker.ts). */
  sites: SiteTracker;
  /** Tracked sites' figures (src/services/site-stats.ts). */
  siteStats: SiteStats;
  /** Readiness for GET /health (src/services/health.ts). */
  health: HealthProbe;
  /** RATE_LIMIT per client address on the recording routes (src/services/rate-limiter.ts); absent: off. */
  rateLimiter?: RateLimiter | undefined;
  logger: Logger;
  /** Request and database measurements; absent (the Worker): nothing is measured, no /metrics. */
  metrics?: AppMetrics | undefined;
  clock: () => Date;
  /** Who answers: for /info, /health, the dashboard's "served by" and stats' current_server. */
  instance: Instance;
  settings: AppSettings;
  /** The client's address as the runtime can tell it: a trusted proxy's X-Forwarded-For, CF-Connecting-IP, or the socket. */
  clientAddress: (c: Context) => string;
  /** The client's country (ISO 3166-1 alpha-2) where the runtime is told it (request.cf on the Worker); else null. */
  clientCountry: (c: Context) => string | null;
}

export interface Instance {
  serverId: string;
  runtime: { name: string; version: string };
  appVersion: string;
  startedAt: Date;
  /** Where the data lives, for /info. Never a credential. */
  database: { host: string; name: string };
}

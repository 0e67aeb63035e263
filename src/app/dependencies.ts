import type { Context } from 'hono';
import type { AppEnvironment } from '../config';
import type { DayCounter } from '../data/day-counts';
import type { VisitOutcome } from '../data/visit-batcher';
import type { Database, NewVisit } from '../data/visits';
import type { TrustedProxies } from '../domain/client-ip';
import type { IpAnonymization } from '../domain/ip-anonymizer';
import type { ReadCache } from './cache';
import type { FreshReads } from './fresh-reads';
import type { Logger } from './logger';
import type { AppMetrics } from './metrics';
import type { ReadReplicas } from './read-replicas';

/**
 * Everything the handlers need from the outside world. Each runtime (Node, workerd, tests)
 * builds one of these; the handlers never import a runtime themselves.
 */
export interface AppDependencies {
  /** The database for this request. A function because workerd opens a connection per request. */
  database: (c: Context) => Database;
  /** Reads that tolerate replication lag (/api/*): a replica when one is healthy, else the primary. */
  readReplicas: ReadReplicas;
  clock: () => Date;
  serverId: string;
  /** The socket peer's address as the runtime sees it. */
  peerAddress: (c: Context) => string | undefined;
  logger: Logger;
  /** Request, query and visit measurements; absent (the Worker): nothing is measured, no /metrics. */
  metrics?: AppMetrics;
  /** Where /api/stats keeps its figures for statsCacheTtlMs (in process, or shared). */
  statsCache: ReadCache;
  /**
   * Records a visit on the primary; resolves once it is committed. Node gathers concurrent
   * visits into shared transactions (src/data/visit-batcher.ts); the Worker writes each alone.
   */
  recordVisit: (c: Context, visit: NewVisit) => Promise<VisitOutcome>;
  /** Shares the home page's reads between concurrent page views, never older than the view (src/app/fresh-reads.ts). */
  freshReads: FreshReads;
  /** Reads the primary's day counters, keeping the settled quarter hours (src/data/day-counts.ts). */
  dayCounter: DayCounter;
  runtime: { name: string; version: string };
  appVersion: string;
  startedAt: Date;
  /** True once the process has been asked to stop: readiness turns 503 so load balancers move on. */
  isDraining: () => boolean;
  config: {
    environment: AppEnvironment;
    timeZone: string;
    trustedProxies: TrustedProxies;
    debug: boolean;
    healthTimeoutMs: number;
    /** How GET / stores the client address (IP_ANONYMIZE). */
    ipAnonymization: IpAnonymization;
    statsCacheTtlMs: number;
    /** Where the data lives, for /info. Never a credential. */
    database: { host: string; name: string };
  };
}

import type { StoreSettings } from '../config/service';
import type { DatabaseStatus } from '../data/database';
import type { VisitDatabase } from '../data/visit-database';
import { isBotUserAgent } from '../domain/bot-detection';
import { createIpAnonymizer, type IpAnonymization } from '../domain/ip-anonymizer';
import type { KeyedHashing } from '../domain/keyed-hash';
import { localDayRange } from '../domain/time';
import type { Visit, VisitFilter, VisitOutcome } from '../domain/visit';
import { createDayCounter, WHOLE_DAY } from './day-counter';
import { type DayFigures, dayFigures } from './day-figures';
import { DeadlineError, withDeadline } from './deadline';
import { createFreshReads, UNSHARED } from './fresh-reads';
import { type StoreMetrics, timeQuery } from './metrics';
import { createMemoryCache, type ReadCache } from './read-cache';
import { primaryOnly, type ReadRouting, type ReplicaHealth } from './read-routing';
import { createVisitBatcher, type VisitWriter } from './visit-batcher';

/**
 * The one boundary between the handlers and the database. Handlers say what they want (record
 * this visit, the dashboard's figures, a page of visits, a day's stats, is the database there);
 * the store decides how: which database answers (the primary, or a replica for reads that may
 * lag), what is shared between concurrent requests (visits committed together, one read for
 * many page views, one stats load for many callers), what is kept (settled quarter hours, cached
 * stats) and what is measured. Each runtime builds one (src/runtime/node/node-service.ts,
 * src/runtime/worker/worker-app.ts).
 */
export interface VisitStore {
  /** Records the visit a request makes; resolves once it is committed. A replayed request id is 'duplicate'. */
  recordVisit(visit: IncomingVisit): Promise<VisitOutcome>;
  /**
   * The home page's figures for a local day (people only) and its latest visits, from the
   * primary, read after the call: they include every visit committed before it, the caller's own.
   */
  dashboard(day: LocalDay, latestShown: number): Promise<DashboardSnapshot>;
  /** Visits newest first, keyset-paginated; may lag the primary by a replica's delay. */
  listVisits(filter: VisitFilter, limit: number): Promise<Visit[]>;
  /** A local day's figures for /api/stats; up to STATS_CACHE_TTL_MS old, possibly from a replica. */
  dayStats(day: LocalDay, includeBots: boolean): Promise<DayStats>;
  /** `SELECT 1` on the primary and on every replica, each within timeoutMs. */
  checkHealth(timeoutMs: number): Promise<StoreHealth>;
}

export interface IncomingVisit {
  /** As the runtime tells it; stored as IP_ANONYMIZE says. */
  clientAddress: string;
  userAgent: string;
  /** The request's id: a visit replayed with the same id is recorded once. */
  requestId: string;
  at: Date;
  /** When its request is answered 503 if not done (epoch ms): a visit still waiting then is not written. */
  deadline?: number | undefined;
}

export interface LocalDay {
  /** YYYY-MM-DD */
  date: string;
  timeZone: string;
}

/** The same object for every page view that shared the read: a view may render it once. */
export interface DashboardSnapshot {
  figures: DayFigures;
  latest: Visit[];
}

/** Plain JSON, so that a shared cache (Redis) can hold it. */
export type DayStats = {
  total: number;
  perServer: { serverId: string; requests: number }[];
  hours: { hour: string; start: string; requests: number }[];
  uniqueVisitors: number;
  bots: { total: number; day: number };
};

export interface StoreHealth {
  database: DatabaseStatus;
  replicas: ReplicaHealth[];
}

/** STATS_CACHE_TTL_MS, COUNTS_SETTLE_MS (src/config/service.ts, storeSettings) and IP_ANONYMIZE, as parsed. */
export interface VisitStoreOptions extends StoreSettings {
  /** The primary for the current request: Node's pool, or the Worker's connection of the request. */
  primary: () => VisitDatabase;
  /** Where reads that tolerate lag go; default: the primary. */
  replicas?: ReadRouting;
  /**
   * Whether concurrent requests may wait on each other's I/O. On Node they may: visits share
   * transactions (group commit), page views share reads, one stats load answers many callers.
   * workerd forbids it, so on the Worker each request does its own.
   */
  sharedIo: boolean;
  /** Where /api/stats figures are kept for statsCacheTtlMs; default: in this process (or isolate). */
  statsCache?: ReadCache;
  ipAnonymization: IpAnonymization;
  /** How IP_ANONYMIZE=hash computes its HMAC; default WebCrypto (src/domain/keyed-hash.ts). */
  hashing?: KeyedHashing;
  /** APP_TIMEZONE: the day of a hashed address (IP_ANONYMIZE=hash) is the local day there. */
  timeZone: string;
  /** This instance, as the visits it records name it. */
  serverId: string;
  clock: () => Date;
  metrics?: StoreMetrics | undefined;
}

/** The stats cache's entries are DayStats; the version changes with its shape, so replicas of two releases never share one. */
const STATS_KEY_VERSION = 'v2';

export function createVisitStore(options: VisitStoreOptions): VisitStore {
  const { primary, metrics, clock } = options;
  const replicas = options.replicas ?? primaryOnly(primary);
  // IP_ANONYMIZE: the address is truncated or hashed before it is stored anywhere.
  const anonymize = createIpAnonymizer(options.ipAnonymization, options.timeZone, options.hashing);
  // Group commit (src/services/visit-batcher.ts) where requests may share a transaction.
  const writer: VisitWriter = options.sharedIo
    ? createVisitBatcher((batch) => primary().recordVisits(batch))
    : {
        // The Worker writes at once: nothing waits in a queue to be dropped.
        async record(visit) {
          const [outcome] = await primary().recordVisits([visit]);
          if (outcome === undefined) throw new Error('recordVisits returned no outcome for the visit');
          return outcome;
        },
      };
  const freshReads = options.sharedIo ? createFreshReads() : UNSHARED;
  // The primary's counters only: a lagging replica would have it keep unfinished buckets.
  const dayCounter = createDayCounter(options.countsSettleMs);
  const statsCache = options.statsCache ?? createMemoryCache({ singleFlight: options.sharedIo });

  return {
    async recordVisit(visit) {
      const ipAddress = await anonymize(visit.clientAddress, visit.at);
      const outcome = await timeQuery(metrics, 'record_visit', () =>
        writer.record(
          {
            ipAddress,
            userAgent: visit.userAgent,
            serverId: options.serverId,
            visitedAt: visit.at,
            requestId: visit.requestId,
            isBot: isBotUserAgent(visit.userAgent),
          },
          visit.deadline,
        ),
      );
      metrics?.visitRecorded(outcome);
      return outcome;
    },

    dashboard(day, latestShown) {
      return freshReads.read(`home ${day.date} ${day.timeZone} ${latestShown}`, async () => {
        const db = primary();
        const range = localDayRange(day.date, day.timeZone);
        const [counts, latest] = await Promise.all([
          timeQuery(metrics, 'request_counts', () => dayCounter.read(db, range, clock())),
          timeQuery(metrics, 'list_visits', () => db.listVisits({}, latestShown)),
        ]);
        // The dashboard counts people; bots get a count of their own beside them.
        return { figures: dayFigures(counts, range, day.timeZone, false), latest };
      });
    },

    listVisits(filter, limit) {
      // Concurrent requests for the same page share a read that started after each of them.
      const key = JSON.stringify([
        'visits',
        filter.serverId ?? null,
        filter.since?.getTime() ?? null,
        filter.until?.getTime() ?? null,
        filter.before?.visitedAt.getTime() ?? null,
        filter.before?.id ?? null,
        limit,
      ]);
      return freshReads.read(key, () =>
        replicas.read((db) => timeQuery(metrics, 'list_visits', () => db.listVisits(filter, limit))),
      );
    },

    dayStats(day, includeBots) {
      const key = `stats:${STATS_KEY_VERSION}:${day.date}:${day.timeZone}:${includeBots ? 'all' : 'humans'}`;
      // unique_visitors reads every visitor row of the day, which is what made this slow at 1M visits.
      return statsCache.getOrLoad(key, options.statsCacheTtlMs, async (): Promise<DayStats> => {
        const range = localDayRange(day.date, day.timeZone);
        const [counts, visitors] = await replicas.read((db) =>
          Promise.all([
            // The whole day: this may be a replica, and the figures are cached anyway.
            timeQuery(metrics, 'request_counts', () => WHOLE_DAY.read(db, range, clock())),
            timeQuery(metrics, 'unique_visitors', () => db.uniqueVisitors(range.start, range.end)),
          ]),
        );
        const figures = dayFigures(counts, range, day.timeZone, includeBots);
        return {
          total: figures.total,
          perServer: figures.perServer,
          hours: figures.hours.map((hour) => ({ hour: hour.hour, start: hour.start.toISOString(), requests: hour.requests })),
          uniqueVisitors: includeBots ? visitors.all : visitors.humans,
          bots: figures.bots,
        };
      });
    },

    async checkHealth(timeoutMs) {
      // Probes that arrive together share a SELECT 1 that started after each of them. Waiting
      // for the next one may take longer than a probe's own timeout, so each caller keeps its
      // own deadline: no answer within it is `unreachable`, as for an unshared probe.
      const sharedProbe = freshReads.read(`health:${timeoutMs}`, () =>
        timeQuery(
          metrics,
          'check_database',
          () => primary().check(timeoutMs),
          (status) => status !== 'connected',
        ),
      );
      const [database, replicaHealth] = await Promise.all([
        withDeadline(sharedProbe, timeoutMs).catch((error: unknown): DatabaseStatus => {
          if (error instanceof DeadlineError) return 'unreachable';
          throw error;
        }),
        replicas.health(timeoutMs),
      ]);
      return { database, replicas: replicaHealth };
    },
  };
}

import { type DayCounter, WHOLE_DAY } from '../data/day-counts';
import type { Database, RequestCount, Visit } from '../data/visits';
import { localHours } from '../domain/time';
import type { VisitJson } from './api-contract';
import { type AppMetrics, timeQuery } from './metrics';

/** Figures shared by the dashboard and /api/stats, assembled from the data-access functions. */

export interface HourCount {
  hour: string;
  start: Date;
  requests: number;
}

export interface ServerCount {
  serverId: string;
  requests: number;
}

export interface DayCounts {
  total: number;
  perServer: ServerCount[];
  /** Requests in each local hour of the day, zeros included, correct across DST changes. */
  hours: HourCount[];
  /** Requests from bots, all-time and during the day, whether or not the figures above include them. */
  bots: { total: number; day: number };
}

/**
 * All-time totals and one local day's hourly figures, from the counters, read by `counter`
 * (the whole day by default; the home page's keeps the settled part, src/data/day-counts.ts).
 * Without `includeBots` every figure counts human requests only.
 */
export async function dayCounts(
  db: Database,
  range: { start: Date; end: Date },
  timeZone: string,
  options: { includeBots: boolean; now: Date; counter?: DayCounter; metrics?: AppMetrics | undefined },
): Promise<DayCounts> {
  const counter = options.counter ?? WHOLE_DAY;
  const counts = await timeQuery(options.metrics, 'request_counts', () => counter.read(db, range, options.now));
  const counted = (count: RequestCount | undefined) =>
    count === undefined ? 0 : options.includeBots ? count.requests : count.requests - count.botRequests;
  const perServer = counts.perServer.map((server) => ({ serverId: server.serverId, requests: counted(server) }));
  return {
    total: perServer.reduce((sum, server) => sum + server.requests, 0),
    perServer,
    hours: localHours(range, timeZone).map((hour) => ({
      hour: hour.hour,
      start: hour.start,
      requests: hour.buckets.reduce((total, bucket) => total + counted(counts.perBucket.get(bucket.getTime())), 0),
    })),
    bots: {
      total: counts.perServer.reduce((sum, server) => sum + server.botRequests, 0),
      // The counters read hold exactly the day's buckets besides the all-time rows.
      day: [...counts.perBucket.values()].reduce((sum, bucket) => sum + bucket.botRequests, 0),
    },
  };
}

/** The JSON form of a visit, shared by every API that returns visits. */
export function visitJson(visit: Visit): VisitJson {
  return {
    id: visit.id,
    ip_address: visit.ipAddress,
    timestamp: visit.visitedAt.toISOString(),
    user_agent: visit.userAgent,
    server_id: visit.serverId,
    is_bot: visit.isBot,
  };
}

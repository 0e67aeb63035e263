import type { RequestCount, RequestCounts } from '../data/counter-reads';
import { localHours } from '../domain/time';

/** The figures of one local day that the dashboard and /api/stats show, from the counters. */

export interface HourCount {
  hour: string;
  start: Date;
  requests: number;
}

export interface ServerCount {
  serverId: string;
  requests: number;
}

export interface DayFigures {
  total: number;
  perServer: ServerCount[];
  /** Requests in each local hour of the day, zeros included, correct across DST changes. */
  hours: HourCount[];
  /** Requests from bots, all-time and during the day, whether or not the figures above include them. */
  bots: { total: number; day: number };
}

/**
 * All-time totals and one local day's hourly figures from the counters read for that day
 * (`counts`: the all-time rows and exactly the day's buckets). Without `includeBots` every
 * figure counts human requests only.
 */
export function dayFigures(
  counts: RequestCounts,
  range: { start: Date; end: Date },
  timeZone: string,
  includeBots: boolean,
): DayFigures {
  const counted = (count: RequestCount | undefined) =>
    count === undefined ? 0 : includeBots ? count.requests : count.requests - count.botRequests;
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

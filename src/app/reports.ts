import { type Database, requestCounts, type Visit } from '../data/visits';
import { localHours } from '../domain/time';

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
}

/** All-time totals and one local day's hourly figures, from a single read of the counters. */
export async function dayCounts(db: Database, range: { start: Date; end: Date }, timeZone: string): Promise<DayCounts> {
  const counts = await requestCounts(db, range.start, range.end);
  return {
    total: counts.perServer.reduce((sum, server) => sum + server.requests, 0),
    perServer: counts.perServer,
    hours: localHours(range, timeZone).map((hour) => ({
      hour: hour.hour,
      start: hour.start,
      requests: hour.buckets.reduce((total, bucket) => total + (counts.perBucket.get(bucket.getTime()) ?? 0), 0),
    })),
  };
}

/** The JSON form of a visit, shared by every API that returns visits. */
export function visitJson(visit: Visit) {
  return {
    id: visit.id,
    ip_address: visit.ipAddress,
    timestamp: visit.visitedAt.toISOString(),
    user_agent: visit.userAgent,
    server_id: visit.serverId,
  };
}

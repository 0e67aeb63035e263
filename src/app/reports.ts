import { type Database, requestsPerBucket, requestsPerServer, type Visit } from '../data/visits';
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

/** Requests in each local hour of a day, zeros included, correct across DST changes. */
export async function hourlyRequests(db: Database, range: { start: Date; end: Date }, timeZone: string): Promise<HourCount[]> {
  const perBucket = await requestsPerBucket(db, range.start, range.end);
  return localHours(range, timeZone).map((hour) => ({
    hour: hour.hour,
    start: hour.start,
    requests: hour.buckets.reduce((total, bucket) => total + (perBucket.get(bucket.getTime()) ?? 0), 0),
  }));
}

export interface Totals {
  total: number;
  perServer: ServerCount[];
}

export async function requestTotals(db: Database): Promise<Totals> {
  const perServer = await requestsPerServer(db);
  return { total: perServer.reduce((sum, server) => sum + server.requests, 0), perServer };
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

/** A visit as the service records and reports it; the tables are in db/schema.ts. */

/** Longest user agent kept; longer values are truncated on write. */
export const USER_AGENT_MAX_LENGTH = 512;
/** Longest server id; replicas name themselves (hostname, colo + instance). */
export const SERVER_ID_MAX_LENGTH = 64;
/** Longest request id kept (hono's requestId middleware accepts up to this many characters). */
export const REQUEST_ID_MAX_LENGTH = 64;

export interface Visit {
  id: number;
  ipAddress: string;
  userAgent: string;
  serverId: string;
  visitedAt: Date;
  /** Recorded by a crawler, script, monitor or health checker (src/domain/bot-detection.ts). */
  isBot: boolean;
}

export interface NewVisit extends Omit<Visit, 'id'> {
  /** Idempotency key: a second visit with the same id is not recorded again. */
  requestId: string;
}

/** Whether a visit was written, or was a replay of one already recorded (the same request id). */
export type VisitOutcome = 'recorded' | 'duplicate';

/** Where a visit stands in newest-first order: what a page cursor names. */
export interface VisitPosition {
  visitedAt: Date;
  id: number;
}

export interface VisitFilter {
  serverId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only visits strictly older than this one (keyset pagination). */
  before?: VisitPosition | undefined;
}

/** Truncates on a code point boundary so a 4-byte character is never cut in half. */
export function truncateUserAgent(userAgent: string): string {
  const codePoints = Array.from(userAgent);
  return codePoints.length <= USER_AGENT_MAX_LENGTH ? userAgent : codePoints.slice(0, USER_AGENT_MAX_LENGTH).join('');
}

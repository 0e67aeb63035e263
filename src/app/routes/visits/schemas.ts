import * as v from 'valibot';
import { decodeCursor } from '../../../domain/cursor';
import { isCalendarDate } from '../../../domain/time';
import { SERVER_ID_MAX_LENGTH, type Visit } from '../../../domain/visit';
import { UNKNOWN_PARAMETER } from '../../query';
import { count, instant, serverId } from '../fields';

/** GET /api/visits: the query it takes and the page it answers. */

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO-8601 instant: a date (midnight UTC) or a date-time with Z or an offset. */
const isoInstant = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const text = dataset.value;
    if (!ISO_INSTANT.test(text)) {
      addIssue({ message: 'must be an ISO-8601 date or date-time with a time zone, e.g. 2026-11-24T09:30:00Z' });
      return NEVER;
    }
    const instant = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
    if (!isCalendarDate(text.slice(0, 10)) || Number.isNaN(instant.getTime())) {
      addIssue({ message: 'must be a real calendar date and time' });
      return NEVER;
    }
    return instant;
  }),
);

const serverIdSchema = v.pipe(
  v.string(),
  v.regex(
    new RegExp(`^[A-Za-z0-9._:-]{1,${SERVER_ID_MAX_LENGTH}}$`),
    `must be 1 to ${SERVER_ID_MAX_LENGTH} letters, digits, '.', '_', ':' or '-'`,
  ),
);

export const PAGE_SIZE_MESSAGE = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

export const VisitsQuery = v.pipe(
  v.strictObject(
    {
      limit: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^\d{1,6}$/, PAGE_SIZE_MESSAGE),
          v.transform(Number),
          v.minValue(1, PAGE_SIZE_MESSAGE),
          v.maxValue(MAX_PAGE_SIZE, PAGE_SIZE_MESSAGE),
        ),
        String(DEFAULT_PAGE_SIZE),
      ),
      cursor: v.optional(
        v.pipe(
          v.string(),
          v.rawTransform(({ dataset, addIssue, NEVER }) => {
            const position = decodeCursor(dataset.value);
            if (position !== undefined) return position;
            addIssue({ message: 'is not a cursor from this API: pass the next_cursor of a previous page unchanged' });
            return NEVER;
          }),
        ),
      ),
      server_id: v.optional(serverIdSchema),
      since: v.optional(isoInstant),
      until: v.optional(isoInstant),
    },
    UNKNOWN_PARAMETER,
  ),
  v.forward(
    v.check(
      (query) => query.since === undefined || query.until === undefined || query.since < query.until,
      'must be later than since',
    ),
    ['until'],
  ),
);

export const VisitBody = v.strictObject({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  ip_address: v.pipe(v.string(), v.description('the client address, IPv6 in RFC 5952 form')),
  timestamp: instant,
  user_agent: v.pipe(v.string(), v.description('as sent, truncated to 512 characters')),
  server_id: serverId,
  is_bot: v.pipe(v.boolean(), v.description('whether the user agent is a bot, crawler or monitor')),
});

export const VisitsPageBody = v.strictObject({
  visits: v.pipe(v.array(VisitBody), v.description('newest first')),
  count: v.pipe(count, v.description('visits on this page')),
  next_cursor: v.pipe(v.nullable(v.string()), v.description('pass as `cursor` to read the next page; null on the last page')),
});

export type VisitJson = v.InferOutput<typeof VisitBody>;
export type VisitsPageJson = v.InferOutput<typeof VisitsPageBody>;

/** The JSON form of a visit. */
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

import type { Context } from 'hono';
import * as v from 'valibot';
import { SERVER_ID_MAX_LENGTH } from '../../db/schema';
import { decodeCursor } from '../domain/cursor';
import { isCalendarDate, isTimeZone } from '../domain/time';

/** One problem with a request, named by the parameter at fault. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Thrown by parseQuery; the app's error handler answers it with 400 invalid_request. */
export class InvalidRequestError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '));
    this.name = 'InvalidRequestError';
  }
}

/** Parses the query string with a schema; unknown parameters are errors, so typos do not pass silently. */
export function parseQuery<const TSchema extends v.GenericSchema>(c: Context, schema: TSchema): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, c.req.query());
  if (result.success) return result.output;
  throw new InvalidRequestError(
    result.issues.map((issue) => ({ field: v.getDotPath(issue) ?? 'query', message: issue.message })),
  );
}

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

export const serverIdSchema = v.pipe(
  v.string(),
  v.regex(
    new RegExp(`^[A-Za-z0-9._:-]{1,${SERVER_ID_MAX_LENGTH}}$`),
    `must be 1 to ${SERVER_ID_MAX_LENGTH} letters, digits, '.', '_', ':' or '-'`,
  ),
);

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

const UNKNOWN_PARAMETER = 'is not a known parameter';

export const VisitsQuery = v.pipe(
  v.strictObject(
    {
      limit: v.optional(
        v.pipe(
          v.string(),
          v.regex(/^\d{1,6}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
          v.transform(Number),
          v.minValue(1, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
          v.maxValue(MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
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

export const StatsQuery = v.strictObject(
  {
    date: v.optional(v.pipe(v.string(), v.check(isCalendarDate, 'must be a calendar date written YYYY-MM-DD'))),
    tz: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone name such as UTC or Europe/Paris'))),
    // true (the default) counts every request; false counts humans only (README, "Visitor privacy").
    include_bots: v.optional(
      v.pipe(
        v.string(),
        v.picklist(['true', 'false'], 'must be true or false'),
        v.transform((value) => value === 'true'),
      ),
      'true',
    ),
  },
  UNKNOWN_PARAMETER,
);

/** For endpoints without parameters: anything given is a mistake worth reporting. */
export const NoQuery = v.strictObject({}, UNKNOWN_PARAMETER);

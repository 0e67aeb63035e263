import * as v from 'valibot';
import { isCalendarDate, isTimeZone } from '../../../domain/time';
import { UNKNOWN_PARAMETER } from '../../query';
import { count, instant, serverId } from '../fields';

/** GET /api/stats: the query it takes and the figures it answers. */

export const StatsQuery = v.strictObject(
  {
    date: v.optional(v.pipe(v.string(), v.check(isCalendarDate, 'must be a calendar date written YYYY-MM-DD'))),
    tz: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone name such as UTC or Europe/Paris'))),
    // true (the default) counts every request; false counts humans only (docs/privacy.md).
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

export const StatsBody = v.strictObject({
  total: v.pipe(count, v.description('all-time visits, every server')),
  server_stats: v.pipe(
    v.array(v.strictObject({ server_id: serverId, requests: count })),
    v.description('all-time visits per server'),
  ),
  hourly_stats: v.pipe(
    v.array(
      v.strictObject({
        hour: v.pipe(v.string(), v.regex(/^\d{2}:\d{2}$/), v.description('local wall-clock hour, HH:MM')),
        start: v.pipe(instant, v.description("the hour's UTC beginning; tells a repeated DST hour apart")),
        requests: count,
      }),
    ),
    v.description('every local hour of the day, zeros included: 23, 24 or 25 entries'),
  ),
  unique_visitors: v.pipe(count, v.description('distinct client addresses during the local day')),
  include_bots: v.pipe(v.boolean(), v.description('whether the figures above count bots (the include_bots parameter)')),
  bots: v.pipe(
    v.strictObject({ total: count, day: count }),
    v.description('requests from bots, all-time and during the day, whatever include_bots says'),
  ),
  date: v.pipe(v.string(), v.isoDate(), v.description('the local day reported, YYYY-MM-DD')),
  timezone: v.pipe(v.string(), v.description('the IANA zone the day is in')),
  current_server: serverId,
});

export type StatsJson = v.InferOutput<typeof StatsBody>;

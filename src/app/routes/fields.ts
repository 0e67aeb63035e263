import * as v from 'valibot';

/** Field schemas more than one response body uses. */

export const count = v.pipe(v.number(), v.integer(), v.minValue(0));
export const instant = v.pipe(v.string(), v.isoTimestamp(), v.description('UTC instant, ISO-8601 with milliseconds'));
export const serverId = v.pipe(v.string(), v.description('the name of a replica, as its SERVER_ID'));

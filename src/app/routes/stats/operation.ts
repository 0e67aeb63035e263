import { InvalidRequestBody } from '../../errors';
import { json, type OperationDoc, query } from '../../openapi/operation';
import { StatsBody, StatsQuery } from './schemas';

export const statsOperation: OperationDoc = {
  method: 'get',
  path: '/api/stats',
  operationId: 'getStats',
  tag: 'Visits',
  summary: 'Totals, per-server and hourly counts and unique visitors for a day',
  description:
    '`total` and `server_stats` are all-time; `hourly_stats` and `unique_visitors` cover one local day in `tz`. Every local hour is listed, zeros included, correct across DST changes.',
  query: query(StatsQuery, {
    date: { description: 'The local day, `YYYY-MM-DD`; default today in `tz`.' },
    tz: { description: 'An IANA time zone name such as `UTC` or `Europe/Paris`; default `APP_TIMEZONE`.' },
    include_bots: {
      description:
        '`true` (default) counts every request; `false` counts people only, leaving out crawlers, scripts, monitors and health checkers. `bots` reports their requests either way.',
    },
  }),
  responses: [
    json(200, 'The figures for that day.', StatsBody, [
      {
        name: 'one-day',
        summary: 'A day in Paris (hourly_stats shortened here to two of its 24 hours)',
        query: { date: '2026-11-24', tz: 'Europe/Paris', include_bots: 'false' },
        body: {
          total: 1042,
          server_stats: [
            { server_id: 'app-1', requests: 530 },
            { server_id: 'app-2', requests: 512 },
          ],
          hourly_stats: [
            { hour: '00:00', start: '2026-11-23T23:00:00.000Z', requests: 12 },
            { hour: '01:00', start: '2026-11-24T00:00:00.000Z', requests: 7 },
          ],
          unique_visitors: 87,
          include_bots: false,
          bots: { total: 310, day: 14 },
          date: '2026-11-24',
          timezone: 'Europe/Paris',
          current_server: 'app-1',
        },
      },
    ]),
    json(400, 'A bad or unknown parameter.', InvalidRequestBody, [
      {
        name: 'bad-zone',
        summary: 'A time zone that does not exist',
        query: { tz: 'Mars/Olympus' },
        body: {
          error: 'invalid_request',
          issues: [{ field: 'tz', message: 'must be an IANA time zone name such as UTC or Europe/Paris' }],
        },
      },
    ]),
  ],
};

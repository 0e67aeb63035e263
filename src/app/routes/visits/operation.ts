import { UnauthorizedBody } from '../../access';
import { InvalidRequestBody } from '../../errors';
import { json, type OperationDoc, query } from '../../openapi/operation';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_SIZE_MESSAGE, VisitsPageBody, VisitsQuery } from './schemas';

const EXAMPLE_VISIT = {
  id: 1042,
  ip_address: '203.0.113.7',
  timestamp: '2026-11-24T10:57:10.454Z',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0',
  server_id: 'app-1',
  is_bot: false,
};

export const visitsOperation: OperationDoc = {
  method: 'get',
  path: '/api/visits',
  operationId: 'listVisits',
  tag: 'Visits',
  summary: 'Recent visits, newest first',
  description:
    'Keyset-paginated: pass `next_cursor` back as `cursor` for the next page. A page costs the same however deep it is, and visits recorded meanwhile never shift rows into a page already read.',
  query: query(VisitsQuery, {
    limit: { description: `Visits per page, a whole number from 1 to ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}.` },
    cursor: { description: 'The `next_cursor` of the previous page, passed back unchanged (opaque).' },
    server_id: { description: 'Only visits recorded by this server.' },
    since: {
      description: 'Only visits at or after this instant: an ISO-8601 date (midnight UTC) or date-time with Z or an offset.',
    },
    until: { description: 'Only visits before this instant (exclusive); same forms as `since`, and later than it.' },
  }),
  responses: [
    json(
      401,
      'ADMIN_TOKEN is set, and no `Authorization: Bearer` with one of its tokens came with the request.',
      UnauthorizedBody,
      [],
    ),
    json(200, 'A page of visits.', VisitsPageBody, [
      {
        name: 'first-page',
        summary: 'The latest visit, with a cursor to the next page',
        query: { limit: '1' },
        body: { visits: [EXAMPLE_VISIT], count: 1, next_cursor: 'WyIyMDI2LTExLTI0VDEwOjU3OjEwLjQ1NFoiLDEwNDJd' },
      },
      {
        name: 'next-page',
        summary: 'The page after a cursor, one server, one day; the last page has no cursor',
        query: {
          cursor: 'WyIyMDI2LTExLTI0VDEwOjU3OjEwLjQ1NFoiLDEwNDJd',
          server_id: 'app-1',
          since: '2026-11-24',
          until: '2026-11-25T00:00:00Z',
        },
        body: { visits: [{ ...EXAMPLE_VISIT, id: 1040, timestamp: '2026-11-24T10:56:58.002Z' }], count: 1, next_cursor: null },
      },
    ]),
    json(400, 'A bad or unknown parameter: one issue per parameter at fault.', InvalidRequestBody, [
      {
        name: 'bad-limit',
        summary: 'A page size out of range',
        query: { limit: '0' },
        body: { error: 'invalid_request', issues: [{ field: 'limit', message: PAGE_SIZE_MESSAGE }] },
      },
      {
        name: 'empty-range',
        summary: '`until` not later than `since`',
        query: { since: '2026-11-25', until: '2026-11-24' },
        body: { error: 'invalid_request', issues: [{ field: 'until', message: 'must be later than since' }] },
      },
    ]),
  ],
};

import type * as v from 'valibot';
import type { ResponseBody, ResponseSchemaName } from './api-contract';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, NoQuery, StatsQuery, VisitsQuery } from './validation';

/**
 * Every operation the app serves, described once: its query schema (the very schema that
 * validates requests), what each parameter means, its responses and worked examples.
 * src/app/openapi.ts turns this into the OpenAPI document; test/openapi.test.ts checks it
 * against the routes the app registers and against live responses.
 */

/** Runtime names as AppDependencies.runtime.name gives them. */
export type RuntimeName = 'node' | 'workerd';

export interface ParameterDoc {
  description: string;
}

export interface QueryDoc {
  schema: v.GenericSchema;
  parameters: Record<string, ParameterDoc>;
}

/** A request (its query) and the response it gets; the name links the two in OpenAPI. */
export interface ExampleDoc<TBody = unknown> {
  name: string;
  summary: string;
  query?: Record<string, string>;
  body: TBody;
}

export interface ResponseDoc {
  status: number;
  description: string;
  mediaType: 'application/json' | 'text/html' | 'text/plain';
  schema: ResponseSchemaName;
  examples: ExampleDoc[];
}

export interface OperationDoc {
  method: 'get';
  /** As Hono writes it (`/users/:id`); the document spells parameters OpenAPI's way. */
  path: string;
  operationId: string;
  tag: 'Pages' | 'Visits' | 'System' | 'Documentation';
  summary: string;
  description: string;
  /** Absent when the route ignores its query string. */
  query?: QueryDoc;
  /** The runtimes that serve it, when not all of them do; elsewhere it is a 404. */
  runtimes?: RuntimeName[];
  responses: ResponseDoc[];
}

/** Describes a query schema; every parameter it accepts must be described (a type error otherwise). */
function query<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  parameters: { [TName in keyof v.InferInput<TSchema>]-?: ParameterDoc },
): QueryDoc {
  return { schema, parameters };
}

/** A JSON response whose examples are type-checked against the schema they illustrate. */
function json<const TName extends ResponseSchemaName>(
  status: number,
  description: string,
  schema: TName,
  examples: ExampleDoc<ResponseBody<TName>>[],
): ResponseDoc {
  return { status, description, mediaType: 'application/json', schema, examples };
}

function html(description: string): ResponseDoc {
  return { status: 200, description, mediaType: 'text/html', schema: 'HtmlPage', examples: [] };
}

const PAGE_SIZE_MESSAGE = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;

const NO_PARAMETERS = query(NoQuery, {});

/** The 400 every operation with a query schema answers to a parameter it does not take. */
function unknownParameter(parameter: string): ResponseDoc {
  return json(400, 'A parameter it does not take: nothing is accepted.', 'InvalidRequest', [
    {
      name: 'unknown-parameter',
      summary: 'An unknown parameter is refused rather than ignored',
      query: { [parameter]: '1' },
      body: { error: 'invalid_request', issues: [{ field: parameter, message: 'is not a known parameter' }] },
    },
  ]);
}

const EXAMPLE_VISIT = {
  id: 1042,
  ip_address: '203.0.113.7',
  timestamp: '2026-11-24T10:57:10.454Z',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0',
  server_id: 'app-1',
  is_bot: false,
};

export const OPERATIONS: OperationDoc[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'viewDashboard',
    tag: 'Pages',
    summary: 'Record the visit and show the dashboard',
    description:
      'Records this request as a visit (once per X-Request-Id), then renders an HTML dashboard: total visits, the 10 latest, per-server counts and today’s hourly chart. The page has no script.',
    responses: [html('The dashboard, including this visit.')],
  },
  {
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
      json(200, 'A page of visits.', 'VisitsPage', [
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
      json(400, 'A bad or unknown parameter: one issue per parameter at fault.', 'InvalidRequest', [
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
  },
  {
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
      json(200, 'The figures for that day.', 'Stats', [
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
      json(400, 'A bad or unknown parameter.', 'InvalidRequest', [
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
  },
  {
    method: 'get',
    path: '/info',
    operationId: 'getInfo',
    tag: 'System',
    summary: 'Which instance, runtime and environment answered',
    description: 'Never contains a user name or password.',
    query: NO_PARAMETERS,
    responses: [
      json(200, 'This instance.', 'Info', [
        {
          name: 'node-replica',
          summary: 'A Node replica of the Compose stack',
          body: {
            server_id: 'app-1',
            environment: 'production',
            debug: false,
            runtime: { name: 'node', version: '24.21.0' },
            app_version: '0.1.0',
            database: { host: 'db:3306', name: 'visit_tracker' },
            uptime_seconds: 3605,
            timestamp: '2026-11-24T11:00:00.000Z',
          },
        },
      ]),
      unknownParameter('verbose'),
    ],
  },
  {
    method: 'get',
    path: '/health',
    operationId: 'checkReadiness',
    tag: 'System',
    summary: 'Readiness: can this instance serve requests?',
    description:
      '`SELECT 1` with a deadline of `HEALTH_TIMEOUT_MS`. Load balancers should route only to instances answering 200.',
    query: NO_PARAMETERS,
    responses: [
      json(200, 'Ready: the database answered in time.', 'Healthy', [
        {
          name: 'healthy',
          summary: 'Ready',
          body: { status: 'healthy', server_id: 'app-1', database: 'connected', environment: 'production' },
        },
        {
          name: 'replica-down',
          summary: 'Ready but degraded: a read replica does not answer, so its reads go to the primary',
          body: {
            status: 'degraded',
            server_id: 'app-1',
            database: 'connected',
            environment: 'production',
            replicas: [
              { host: 'replica-1:3306', status: 'connected' },
              { host: 'replica-2:3306', status: 'unreachable' },
            ],
          },
        },
      ]),
      json(503, 'Not ready: the database did not answer properly, or the process is shutting down.', 'Unhealthy', [
        {
          name: 'database-unreachable',
          summary: 'No answer from the database within the deadline',
          body: { status: 'unhealthy', server_id: 'app-1', environment: 'production', database: 'unreachable' },
        },
        {
          name: 'draining',
          summary: 'Draining after SIGTERM (Node only)',
          body: {
            status: 'unhealthy',
            reason: 'shutting down',
            server_id: 'app-1',
            environment: 'production',
            database: 'not checked',
          },
        },
      ]),
      unknownParameter('verbose'),
    ],
  },
  {
    method: 'get',
    path: '/health/live',
    operationId: 'checkLiveness',
    tag: 'System',
    summary: 'Liveness: is the process serving at all?',
    description: 'Answers while the event loop does; never touches the database, so a database outage restarts nothing.',
    responses: [
      json(200, 'Alive.', 'Alive', [{ name: 'alive', summary: 'Alive', body: { status: 'alive', server_id: 'app-1' } }]),
    ],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tag: 'System',
    summary: 'Prometheus metrics of this instance',
    description:
      'Requests by route and status with their durations, database call timings, visits recorded, and the process’s own figures. Node only: the Worker has no such path. The proxy admits private networks only.',
    runtimes: ['node'],
    query: NO_PARAMETERS,
    responses: [
      {
        status: 200,
        description: 'The metrics, in text form.',
        mediaType: 'text/plain',
        schema: 'MetricsText',
        examples: [],
      },
      unknownParameter('format'),
    ],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'Documentation',
    summary: 'This API as an OpenAPI 3.1 document',
    description: 'Generated from the valibot schemas that validate requests and type the responses.',
    query: NO_PARAMETERS,
    responses: [json(200, 'The OpenAPI document.', 'OpenApiDocument', []), unknownParameter('format')],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'viewApiDocs',
    tag: 'Documentation',
    summary: 'This API documentation as an HTML page',
    description: 'The OpenAPI document rendered for people: operations, parameters, responses and examples.',
    query: NO_PARAMETERS,
    responses: [html('The documentation page.'), unknownParameter('format')],
  },
];

/** Whether the runtime of that name serves the operation. */
export function servedOn(operation: OperationDoc, runtime: string): boolean {
  return operation.runtimes === undefined || operation.runtimes.some((name) => name === runtime);
}

/** What a path outside the table gets: the endpoints there are, and where they are described. */
export function notFoundMessage(method: string, path: string, runtime: string): string {
  const paths = OPERATIONS.filter((operation) => servedOn(operation, runtime))
    .map((operation) => operation.path)
    .join(', ');
  return `No such endpoint: ${method} ${path}. Available: GET ${paths}; /docs describes them.`;
}

/** The responses any path can give besides its own, documented once under components/responses. */
export const SHARED_RESPONSES = {
  NotFound: json(404, '404: no such endpoint, for any method and path not listed here.', 'NotFound', [
    {
      name: 'unknown-path',
      summary: 'GET /api/visitors, a path that does not exist',
      body: { error: 'not_found', message: notFoundMessage('GET', '/api/visitors', 'node') },
    },
  ]),
  InternalError: json(
    500,
    '500: something unexpected failed; never a stack trace. Quote the request id when reporting it.',
    'InternalError',
    [
      {
        name: 'internal-error',
        summary: 'The database failed mid-request',
        body: { error: 'internal_error', request_id: '8d7f3c1e-0b4a-4e55-9a51-1f0c2b6e7d90' },
      },
    ],
  ),
} satisfies Record<string, ResponseDoc>;

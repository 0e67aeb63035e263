import * as v from 'valibot';
import { APP_ENVS } from '../config';

/**
 * The shapes of every JSON body the service answers with, as valibot schemas. The handlers'
 * bodies are typed from them (`satisfies`), and the OpenAPI document's response schemas are
 * generated from them, so code, types and documentation cannot drift apart. Objects are
 * strict: a field added to a response without being documented fails the contract tests.
 */

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const instant = v.pipe(v.string(), v.isoTimestamp(), v.description('UTC instant, ISO-8601 with milliseconds'));
const serverId = v.pipe(v.string(), v.description('the name of a replica, as its SERVER_ID'));

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

export const InfoBody = v.strictObject({
  server_id: serverId,
  environment: v.picklist(APP_ENVS),
  debug: v.pipe(v.boolean(), v.description('true when LOG_LEVEL is debug')),
  runtime: v.strictObject({
    name: v.pipe(v.string(), v.description('node or workerd')),
    version: v.pipe(v.string(), v.description("Node's version, or the Worker's compatibility date")),
  }),
  app_version: v.string(),
  database: v.pipe(
    v.strictObject({ host: v.string(), name: v.string() }),
    v.description('where the data lives; never a credential'),
  ),
  uptime_seconds: count,
  timestamp: instant,
});

const databaseStatus = v.picklist(['connected', 'unreachable', 'unhealthy']);

const replicas = v.optional(
  v.pipe(
    v.array(v.strictObject({ host: v.pipe(v.string(), v.description('host:port, never a credential')), status: databaseStatus })),
    v.description('each read replica and whether it answers; absent when none is configured'),
  ),
);

export const HealthyBody = v.strictObject({
  status: v.pipe(
    v.picklist(['healthy', 'degraded']),
    v.description('degraded: a read replica does not answer, its reads go to the primary'),
  ),
  server_id: serverId,
  database: v.literal('connected'),
  environment: v.string(),
  replicas,
});

export const UnhealthyBody = v.strictObject({
  status: v.literal('unhealthy'),
  reason: v.optional(v.pipe(v.literal('shutting down'), v.description('present while the process drains'))),
  server_id: serverId,
  environment: v.string(),
  database: v.pipe(
    v.picklist(['unreachable', 'unhealthy', 'not checked']),
    v.description('unreachable: no answer in time; unhealthy: the server answered with an error'),
  ),
  replicas,
});

export const AliveBody = v.strictObject({ status: v.literal('alive'), server_id: serverId });

export const InvalidRequestBody = v.strictObject({
  error: v.literal('invalid_request'),
  issues: v.pipe(
    v.array(
      v.strictObject({
        field: v.pipe(v.string(), v.description('the parameter at fault')),
        message: v.pipe(v.string(), v.description('what it expects')),
      }),
    ),
    v.minLength(1),
    v.description('one issue per bad or unknown parameter'),
  ),
});

export const NotFoundBody = v.strictObject({
  error: v.literal('not_found'),
  message: v.pipe(v.string(), v.description('the path asked for and the endpoints there are')),
});

export const InternalErrorBody = v.strictObject({
  error: v.literal('internal_error'),
  request_id: v.pipe(v.string(), v.description('the id of the log line with the details; also in X-Request-Id')),
});

/** The OpenAPI document itself: only its required top-level fields are promised. */
export const OpenApiDocumentBody = v.looseObject({
  openapi: v.pipe(v.string(), v.regex(/^3\.1\.\d+$/)),
  info: v.looseObject({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.looseObject({})),
});

export const HtmlPage = v.pipe(v.string(), v.description('an HTML page'));

export const MetricsText = v.pipe(v.string(), v.description("Prometheus' text exposition format"));

/** Every schema the OpenAPI document names under components/schemas, by that name. */
export const RESPONSE_SCHEMAS = {
  Visit: VisitBody,
  VisitsPage: VisitsPageBody,
  Stats: StatsBody,
  Info: InfoBody,
  Healthy: HealthyBody,
  Unhealthy: UnhealthyBody,
  Alive: AliveBody,
  InvalidRequest: InvalidRequestBody,
  NotFound: NotFoundBody,
  InternalError: InternalErrorBody,
  OpenApiDocument: OpenApiDocumentBody,
  HtmlPage,
  MetricsText,
} as const;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
export type ResponseBody<TName extends ResponseSchemaName> = v.InferOutput<(typeof RESPONSE_SCHEMAS)[TName]>;

export type VisitJson = v.InferOutput<typeof VisitBody>;
export type VisitsPageJson = v.InferOutput<typeof VisitsPageBody>;
export type StatsJson = v.InferOutput<typeof StatsBody>;
export type InfoJson = v.InferOutput<typeof InfoBody>;
export type HealthyJson = v.InferOutput<typeof HealthyBody>;
export type UnhealthyJson = v.InferOutput<typeof UnhealthyBody>;
export type AliveJson = v.InferOutput<typeof AliveBody>;
export type InvalidRequestJson = v.InferOutput<typeof InvalidRequestBody>;
export type NotFoundJson = v.InferOutput<typeof NotFoundBody>;
export type InternalErrorJson = v.InferOutput<typeof InternalErrorBody>;

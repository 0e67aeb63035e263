import * as v from 'valibot';
import { APP_ENVS } from '../../../config/service';
import { count, instant, serverId } from '../fields';

/** GET /info, GET /health and GET /health/live: the bodies they answer (none takes a parameter). */

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

export type InfoJson = v.InferOutput<typeof InfoBody>;
export type HealthyJson = v.InferOutput<typeof HealthyBody>;
export type UnhealthyJson = v.InferOutput<typeof UnhealthyBody>;
export type AliveJson = v.InferOutput<typeof AliveBody>;

import { json, type OperationDoc, query, unknownParameter } from '../../openapi/operation';
import { NoQuery } from '../../query';
import { AliveBody, HealthyBody, InfoBody, UnhealthyBody } from './schemas';

const NO_PARAMETERS = query(NoQuery, {});

export const infoOperation: OperationDoc = {
  method: 'get',
  path: '/info',
  operationId: 'getInfo',
  usesDatabase: false,
  tag: 'System',
  summary: 'Which instance, runtime and environment answered',
  description: 'Never contains a user name or password.',
  query: NO_PARAMETERS,
  responses: [
    json(200, 'This instance.', InfoBody, [
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
};

export const healthOperation: OperationDoc = {
  method: 'get',
  path: '/health',
  operationId: 'checkReadiness',
  tag: 'System',
  summary: 'Readiness: can this instance serve requests?',
  description: '`SELECT 1` with a deadline of `HEALTH_TIMEOUT_MS`. Load balancers should route only to instances answering 200.',
  query: NO_PARAMETERS,
  responses: [
    json(200, 'Ready: the database answered in time.', HealthyBody, [
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
    json(503, 'Not ready: the database did not answer properly, or the process is shutting down.', UnhealthyBody, [
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
};

export const livenessOperation: OperationDoc = {
  method: 'get',
  path: '/health/live',
  operationId: 'checkLiveness',
  usesDatabase: false,
  tag: 'System',
  summary: 'Liveness: is the process serving at all?',
  description: 'Answers while the event loop does; never touches the database, so a database outage restarts nothing.',
  responses: [
    json(200, 'Alive.', AliveBody, [{ name: 'alive', summary: 'Alive', body: { status: 'alive', server_id: 'app-1' } }]),
  ],
};

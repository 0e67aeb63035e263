import * as v from 'valibot';
import { UnauthorizedBody } from '../../access';
import { json, type OperationDoc, query, unknownParameter } from '../../openapi/operation';
import { NoQuery } from '../../query';

export const MetricsText = v.pipe(v.string(), v.description("Prometheus' text exposition format"));

export const metricsOperation: OperationDoc = {
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  usesDatabase: false,
  tag: 'System',
  summary: 'Prometheus metrics of this instance',
  description:
    'Requests by route and status with their durations, database call timings, visits recorded, and the process’s own figures. Node only: the Worker has no such path. The proxy admits private networks only.',
  runtimes: ['node'],
  query: query(NoQuery, {}),
  responses: [
    json(
      401,
      'ADMIN_TOKEN is set, and no `Authorization: Bearer` with one of its tokens came with the request.',
      UnauthorizedBody,
      [],
    ),
    {
      status: 200,
      description: 'The metrics, in text form.',
      mediaType: 'text/plain',
      schema: MetricsText,
      examples: [],
    },
    unknownParameter('format'),
  ],
};

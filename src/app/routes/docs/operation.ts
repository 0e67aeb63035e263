import * as v from 'valibot';
import { html, json, type OperationDoc, query, unknownParameter } from '../../openapi/operation';
import { NoQuery } from '../../query';

/** The OpenAPI document itself: only its required top-level fields are promised. */
export const OpenApiDocumentBody = v.looseObject({
  openapi: v.pipe(v.string(), v.regex(/^3\.1\.\d+$/)),
  info: v.looseObject({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.looseObject({})),
});

export const openApiOperation: OperationDoc = {
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  usesDatabase: false,
  tag: 'Documentation',
  summary: 'This API as an OpenAPI 3.1 document',
  description: 'Generated from the valibot schemas that validate requests and type the responses.',
  query: query(NoQuery, {}),
  responses: [json(200, 'The OpenAPI document.', OpenApiDocumentBody, []), unknownParameter('format')],
};

export const docsOperation: OperationDoc = {
  method: 'get',
  path: '/docs',
  operationId: 'viewApiDocs',
  usesDatabase: false,
  tag: 'Documentation',
  summary: 'This API documentation as an HTML page',
  description: 'The OpenAPI document rendered for people: operations, parameters, responses and examples.',
  query: query(NoQuery, {}),
  responses: [html('The documentation page.'), unknownParameter('format')],
};

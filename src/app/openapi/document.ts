import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { ExampleDoc, OperationDoc, QueryDoc, ResponseDoc } from './operation';

/** The parts of OpenAPI 3.1 this service uses (https://spec.openapis.org/oas/v3.1.1). */
export interface ExampleObject {
  summary: string;
  value: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  description: string;
  schema: JsonSchema;
  examples?: Record<string, ExampleObject>;
}

export interface MediaTypeObject {
  schema: { $ref: string };
  examples?: Record<string, ExampleObject>;
}

export interface RequestBodyObject {
  description: string;
  required: true;
  content: Record<string, MediaTypeObject>;
}

export interface ResponseObject {
  description: string;
  headers: Record<string, { $ref: string }>;
  content: Record<string, MediaTypeObject>;
}

export type ResponseOrReference = ResponseObject | { $ref: string };

export interface OperationObject {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  parameters: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseOrReference>;
  /** A specification extension: the runtimes that serve it, when not all do. */
  'x-runtimes'?: string[];
  /** A specification extension: true when the route ignores its query string rather than checking it. */
  'x-query-ignored'?: true;
}

export interface OpenApiDocument {
  openapi: '3.1.1';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
  };
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const SCHEMA_PREFIX = '#/components/schemas/';

/**
 * Query parameters are converted as the request sends them (typeMode 'input': strings, before
 * any transformation). Refinements written as code (`check`, the cross-field `forward`) have no
 * JSON Schema form; their rules are in the parameter descriptions. Anything else the converter
 * cannot express still throws, so a new kind of rule is not silently left out.
 */
const QUERY_CONVERSION: ConversionConfig = {
  target: 'draft-2020-12',
  typeMode: 'input',
  // Checks across parameters (a range's order) are the route's; JSON Schema describes each one alone.
  ignoreActions: ['check', 'forward', 'partial_check'],
};

const REQUEST_ID_HEADER = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };

const TAGS = [
  { name: 'Pages', description: 'HTML for people.' },
  { name: 'Visits', description: 'The recorded visits and figures about them.' },
  { name: 'Sites', description: 'Page views of the registered sites (`npm run site`).' },
  { name: 'System', description: 'Instance identity and health, for operators and load balancers.' },
  { name: 'Documentation', description: 'This document, for machines and for people.' },
];

/** Hono writes path parameters as `:name`, OpenAPI as `{name}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)/g, '{$1}');
}

function examplesNamed(examples: ExampleDoc[]): Record<string, ExampleObject> | undefined {
  if (examples.length === 0) return undefined;
  return Object.fromEntries(examples.map((example) => [example.name, { summary: example.summary, value: example.body }]));
}

/** Each `:name` of the path: required, a string, with its example. */
function pathParameters(operation: OperationDoc): ParameterObject[] {
  return Object.entries(operation.pathParameters ?? {}).map(([name, parameter]) => ({
    name,
    in: 'path',
    required: true,
    description: parameter.description,
    schema: { type: 'string' },
    examples: { example: { summary: 'a value', value: parameter.example } },
  }));
}

/** One query parameter per schema property; each example request lends its value under the example's name. */
function queryParameters(queryDoc: QueryDoc | undefined, responses: ResponseDoc[]): ParameterObject[] {
  if (queryDoc === undefined) return [];
  const schema = toJsonSchema(queryDoc.schema, QUERY_CONVERSION);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(schema.required ?? []);
  const examples = responses.flatMap((response) => response.examples);
  return Object.entries(properties).map(([name, property]) => {
    const uses = examples.filter((example) => example.query?.[name] !== undefined);
    const parameter: ParameterObject = {
      name,
      in: 'query',
      required: required.has(name),
      description: queryDoc.parameters[name]?.description ?? '',
      schema: property,
    };
    if (uses.length > 0) {
      parameter.examples = Object.fromEntries(
        uses.map((example) => [example.name, { summary: example.summary, value: example.query?.[name] }]),
      );
    }
    return parameter;
  });
}

/** The name a body schema has in the registry, which is its component's name. */
function schemaNamer(schemas: Readonly<Record<string, v.GenericSchema>>): (schema: v.GenericSchema) => string {
  const names = new Map(Object.entries(schemas).map(([name, schema]) => [schema, name]));
  return (schema) => {
    const name = names.get(schema);
    if (name === undefined)
      throw new Error('a response schema is missing from the schema registry (src/app/routes/operations.ts)');
    return name;
  };
}

function responseObject(response: ResponseDoc, nameOf: (schema: v.GenericSchema) => string): ResponseObject {
  const examples = examplesNamed(response.examples);
  return {
    description: response.description,
    headers: REQUEST_ID_HEADER,
    content: {
      [response.mediaType]: { schema: { $ref: `${SCHEMA_PREFIX}${nameOf(response.schema)}` }, ...(examples ? { examples } : {}) },
    },
  };
}

/** The body an operation takes, with each example request's body under the example's name. */
function requestBodyObject(
  operation: OperationDoc,
  body: NonNullable<OperationDoc['requestBody']>,
  nameOf: (schema: v.GenericSchema) => string,
): RequestBodyObject {
  const examples = Object.fromEntries(
    operation.responses
      .flatMap((response) => response.examples)
      .filter((example) => example.request !== undefined)
      .map((example) => [example.name, { summary: example.summary, value: example.request?.body }]),
  );
  const schema = { $ref: `${SCHEMA_PREFIX}${nameOf(body.schema)}` };
  return {
    description: body.description,
    required: true,
    content: Object.fromEntries(
      body.mediaTypes.map((mediaType, index) => [mediaType, index === 0 ? { schema, examples } : { schema }]),
    ),
  };
}

function operationObject(operation: OperationDoc, nameOf: (schema: v.GenericSchema) => string): OperationObject {
  const responses: Record<string, ResponseOrReference> = {};
  for (const response of operation.responses) responses[String(response.status)] = responseObject(response, nameOf);
  if (operation.usesDatabase !== false && responses['503'] === undefined) {
    responses['503'] = { $ref: '#/components/responses/DatabaseUnavailable' };
  }
  responses['500'] = { $ref: '#/components/responses/InternalError' };
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    parameters: [...pathParameters(operation), ...queryParameters(operation.query, operation.responses)],
    ...(operation.requestBody === undefined ? {} : { requestBody: requestBodyObject(operation, operation.requestBody, nameOf) }),
    responses,
    ...(operation.runtimes === undefined ? {} : { 'x-runtimes': operation.runtimes }),
    ...(operation.query === undefined ? { 'x-query-ignored': true } : {}),
  };
}

export interface ApiDescription {
  appVersion: string;
  operations: readonly OperationDoc[];
  /** Every body schema by its component name (nested ones, such as a visit in a page, too). */
  schemas: Readonly<Record<string, v.GenericSchema>>;
  /** The responses any path can give besides its own (404, 500), by component name. */
  sharedResponses: Readonly<Record<string, ResponseDoc>>;
}

/** Builds the OpenAPI 3.1 document from the routes' operations and their response schemas. */
export function buildOpenApiDocument(api: ApiDescription): OpenApiDocument {
  const nameOf = schemaNamer(api.schemas);
  const paths: OpenApiDocument['paths'] = {};
  for (const operation of api.operations) {
    const path = openApiPath(operation.path);
    paths[path] = { ...paths[path], [operation.method]: operationObject(operation, nameOf) };
  }
  const schemas = toJsonSchemaDefs(api.schemas, {
    target: 'draft-2020-12',
    // As for queries: a rule written as code (a time zone's) is in the field's description.
    ignoreActions: ['check'],
    // Shared shapes (a visit inside a page) point at their own component instead of $defs.
    overrideRef: ({ referenceId }) => `${SCHEMA_PREFIX}${referenceId}`,
  });
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: DIALECT,
    info: {
      title: 'visit-tracker',
      version: api.appVersion,
      description:
        'Records every visit to its home page and reports on them. Every response carries `X-Request-Id`. Errors share one shape: 400 `invalid_request` with one issue per parameter or field at fault, 404 `not_found`, 503 `database_unavailable` with `Retry-After` when the database cannot be reached or used in time, 500 `internal_error` with the request id.',
    },
    tags: TAGS,
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(
        Object.entries(api.sharedResponses).map(([name, doc]) => [name, responseObject(doc, nameOf)]),
      ),
      headers: {
        'X-Request-Id': {
          description: "The request's id: the proxy's when it sent one, otherwise a new one. Log lines carry it too.",
          schema: { type: 'string' },
        },
      },
    },
  };
}

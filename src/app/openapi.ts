import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema';
import { RESPONSE_SCHEMAS } from './api-contract';
import {
  type ExampleDoc,
  OPERATIONS,
  type OperationDoc,
  type QueryDoc,
  type ResponseDoc,
  SHARED_RESPONSES,
} from './api-operations';

/** The parts of OpenAPI 3.1 this service uses (https://spec.openapis.org/oas/v3.1.1). */
export interface ExampleObject {
  summary: string;
  value: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'query';
  required: boolean;
  description: string;
  schema: JsonSchema;
  examples?: Record<string, ExampleObject>;
}

export interface MediaTypeObject {
  schema: { $ref: string };
  examples?: Record<string, ExampleObject>;
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
  responses: Record<string, ResponseOrReference>;
  /** A specification extension: the runtimes that serve it, when not all do. */
  'x-runtimes'?: string[];
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
  ignoreActions: ['check', 'forward'],
};

const REQUEST_ID_HEADER = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };

const TAGS = [
  { name: 'Pages', description: 'HTML for people.' },
  { name: 'Visits', description: 'The recorded visits and figures about them.' },
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

function responseObject(response: ResponseDoc): ResponseObject {
  const examples = examplesNamed(response.examples);
  return {
    description: response.description,
    headers: REQUEST_ID_HEADER,
    content: {
      [response.mediaType]: { schema: { $ref: `${SCHEMA_PREFIX}${response.schema}` }, ...(examples ? { examples } : {}) },
    },
  };
}

function operationObject(operation: OperationDoc): OperationObject {
  const responses: Record<string, ResponseOrReference> = {};
  for (const response of operation.responses) responses[String(response.status)] = responseObject(response);
  responses['500'] = { $ref: '#/components/responses/InternalError' };
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    parameters: queryParameters(operation.query, operation.responses),
    responses,
    ...(operation.runtimes === undefined ? {} : { 'x-runtimes': operation.runtimes }),
  };
}

/** Builds the OpenAPI 3.1 document from the operations table and the response schemas. */
export function buildOpenApiDocument(appVersion: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const operation of OPERATIONS) {
    const path = openApiPath(operation.path);
    paths[path] = { ...paths[path], [operation.method]: operationObject(operation) };
  }
  const schemas = toJsonSchemaDefs(RESPONSE_SCHEMAS, {
    target: 'draft-2020-12',
    // Shared shapes (a visit inside a page) point at their own component instead of $defs.
    overrideRef: ({ referenceId }) => `${SCHEMA_PREFIX}${referenceId}`,
  });
  return {
    openapi: '3.1.1',
    jsonSchemaDialect: DIALECT,
    info: {
      title: 'visit-tracker',
      version: appVersion,
      description:
        'Records every visit to its home page and reports on them. Every response carries `X-Request-Id`. Errors share one shape: 400 `invalid_request` with one issue per parameter at fault, 404 `not_found`, 500 `internal_error` with the request id.',
    },
    tags: TAGS,
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(Object.entries(SHARED_RESPONSES).map(([name, doc]) => [name, responseObject(doc)])),
      headers: {
        'X-Request-Id': {
          description: "The request's id: the proxy's when it sent one, otherwise a new one. Log lines carry it too.",
          schema: { type: 'string' },
        },
      },
    },
  };
}

import * as v from 'valibot';
import { InvalidRequestBody } from '../errors';
import { UNKNOWN_PARAMETER } from '../query';

/**
 * How a route describes itself for the OpenAPI document: its query schema (the very schema that
 * validates requests), what each parameter means, its responses (the very schemas its bodies are
 * typed with) and worked examples. Each route keeps its operation beside its handler
 * (src/app/routes/<area>/operation.ts); document.ts turns them into OpenAPI 3.1, and
 * test/app/openapi.test.ts checks them against the routes and against live responses.
 */

/** Runtime names as AppDependencies.instance.runtime.name gives them. */
export type RuntimeName = 'node' | 'workerd';

export interface ParameterDoc {
  description: string;
}

export interface QueryDoc {
  schema: v.GenericSchema;
  parameters: Record<string, ParameterDoc>;
}

/** A request (its query, and a body for a POST) and the response it gets; the name links the two in OpenAPI. */
export interface ExampleDoc<TBody = unknown> {
  name: string;
  summary: string;
  /** Values of the path's parameters; default: each parameter's own example. */
  path?: Record<string, string>;
  query?: Record<string, string>;
  /** The request's body and headers, for an operation that takes a body. */
  request?: { body: unknown; headers?: Record<string, string> };
  body: TBody;
}

export interface RequestBodyDoc {
  description: string;
  /** The very schema the handler validates the body with. */
  schema: v.GenericSchema;
  /** The media types it is read from (the body is parsed as JSON whatever the type says). */
  mediaTypes: readonly string[];
}

export interface ResponseDoc {
  status: number;
  description: string;
  mediaType: 'application/json' | 'text/html' | 'text/plain' | 'text/csv' | 'application/javascript' | 'image/gif';
  /** The body's schema; the document names it after its entry in the schema registry (src/app/routes/operations.ts). */
  schema: v.GenericSchema;
  examples: ExampleDoc[];
}

export interface OperationDoc {
  method: 'get' | 'post' | 'delete';
  /** As Hono writes it (`/users/:id`); the document spells parameters OpenAPI's way. */
  path: string;
  operationId: string;
  tag: 'Pages' | 'Visits' | 'Sites' | 'System' | 'Documentation';
  summary: string;
  description: string;
  /** Each `:name` in the path, described, with a value that works in a live example. */
  pathParameters?: Record<string, ParameterDoc & { example: string }>;
  /** Absent when the route ignores its query string (a page that links may carry UTM tags). */
  query?: QueryDoc;
  requestBody?: RequestBodyDoc;
  /** The runtimes that serve it, when not all of them do; elsewhere it is a 404. */
  runtimes?: RuntimeName[];
  /** false: never the shared 503 `database_unavailable` (it needs no database, or, like the pixel, answers alike whatever the database does). */
  usesDatabase?: false;
  responses: ResponseDoc[];
}

/** Describes a query schema; every parameter it accepts must be described (a type error otherwise). */
export function query<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  parameters: { [TName in keyof v.InferInput<TSchema>]-?: ParameterDoc },
): QueryDoc {
  return { schema, parameters };
}

/** A JSON response whose examples are type-checked against the schema they illustrate. */
export function json<const TSchema extends v.GenericSchema>(
  status: number,
  description: string,
  schema: TSchema,
  examples: ExampleDoc<v.InferOutput<TSchema>>[],
): ResponseDoc {
  return { status, description, mediaType: 'application/json', schema, examples };
}

export const HtmlPage = v.pipe(v.string(), v.description('an HTML page'));

export function html(description: string, status = 200): ResponseDoc {
  return { status, description, mediaType: 'text/html', schema: HtmlPage, examples: [] };
}

/** The 400 every operation with a query schema answers to a parameter it does not take. */
export function unknownParameter(parameter: string): ResponseDoc {
  return json(400, 'A parameter it does not take: nothing is accepted.', InvalidRequestBody, [
    {
      name: 'unknown-parameter',
      summary: 'An unknown parameter is refused rather than ignored',
      query: { [parameter]: '1' },
      body: { error: 'invalid_request', issues: [{ field: parameter, message: UNKNOWN_PARAMETER }] },
    },
  ]);
}

/** The operation's path with its parameters filled in: from the example, else each parameter's own example. */
export function examplePath(operation: OperationDoc, example?: ExampleDoc): string {
  return operation.path.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(example?.path?.[name] ?? operation.pathParameters?.[name]?.example ?? name),
  );
}

/** Whether the runtime of that name serves the operation. */
export function servedOn(operation: OperationDoc, runtime: string): boolean {
  return operation.runtimes === undefined || operation.runtimes.some((name) => name === runtime);
}

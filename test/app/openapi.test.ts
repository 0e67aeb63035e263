import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type OpenApiDocument, openApiPath } from '../../src/app/openapi/document';
import { examplePath, type OperationDoc, type ResponseDoc, servedOn } from '../../src/app/openapi/operation';
import { OPERATIONS, RESPONSE_SCHEMAS, SHARED_RESPONSES } from '../../src/app/routes/operations';
import { createNodeService } from '../../src/runtime/node/node-service';
import { parseNodeSettings } from '../../src/runtime/node/settings';
import { APP_VERSION } from '../../src/version';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RUNTIMES, type RuntimeServer, startRuntime } from '../support/runtimes';
import { registerSite } from '../support/sites';

/**
 * The OpenAPI document is generated from the code (each route's operation, query schema and
 * response schemas in src/app/routes/<area>/, gathered by src/app/routes/operations.ts). These
 * tests hold it to the app: the same routes, valid OpenAPI 3.1 and JSON Schema 2020-12,
 * examples that satisfy their schemas, and live responses of both runtimes that satisfy the
 * documented ones.
 */

const document = buildOpenApiDocument({
  appVersion: APP_VERSION,
  operations: OPERATIONS,
  schemas: RESPONSE_SCHEMAS,
  sharedResponses: SHARED_RESPONSES,
});
const DOCUMENT_ID = 'https://visit-tracker.invalid/openapi.json';

/** JSON Schema 2020-12 in strict mode: an unknown keyword or a dangling $ref fails to compile. */
function createValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  // The formats valibot emits for isoTimestamp and isoDate (ajv ships none of its own).
  ajv.addFormat('date-time', (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text));
  ajv.addFormat('date', (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text));
  // `components` is OpenAPI's, not JSON Schema's: known but inert, so $refs can point into it.
  ajv.addVocabulary(['components']);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  const compiled = new Map<string, ValidateFunction>();
  return (schemaName: string): ValidateFunction => {
    let validate = compiled.get(schemaName);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#/components/schemas/${schemaName}` });
      compiled.set(schemaName, validate);
    }
    return validate;
  };
}

const validatorFor = createValidator();

/** The component name of a response schema. */
function nameOf(schema: v.GenericSchema): string {
  const entry = Object.entries(RESPONSE_SCHEMAS).find(([, candidate]) => candidate === schema);
  if (entry === undefined) throw new Error('a documented response schema is missing from RESPONSE_SCHEMAS');
  return entry[0];
}

function expectValid(schema: v.GenericSchema, value: unknown, what: string): void {
  const schemaName = nameOf(schema);
  const validate = validatorFor(schemaName);
  const valid = validate(value);
  expect(valid, `${what} does not match ${schemaName}: ${JSON.stringify(validate.errors, null, 1)}`).toBe(true);
}

/** The routes a Hono app registered, as `GET /path`, without middleware (method ALL). */
function registeredRoutes(routes: { method: string; path: string }[]): string[] {
  const found = routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${openApiPath(route.path)}`);
  return [...new Set(found)].sort();
}

function documentedRoutes(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

// The parts of OpenAPI 3.1 the document uses, strictly: a misspelt or misplaced field fails.
const Example = v.strictObject({ summary: v.optional(v.string()), description: v.optional(v.string()), value: v.unknown() });
const Reference = v.strictObject({ $ref: v.pipe(v.string(), v.startsWith('#/components/')) });
const SchemaObject = v.looseObject({});
const Parameter = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1)),
  in: v.picklist(['query', 'header', 'path', 'cookie']),
  required: v.boolean(),
  description: v.pipe(v.string(), v.minLength(1, 'every parameter needs a description')),
  schema: SchemaObject,
  examples: v.optional(v.record(v.string(), Example)),
});
const MediaType = v.strictObject({ schema: Reference, examples: v.optional(v.record(v.string(), Example)) });
const Response = v.strictObject({
  description: v.pipe(v.string(), v.minLength(1)),
  headers: v.record(v.string(), Reference),
  content: v.record(v.pipe(v.string(), v.regex(/^[a-z]+\/[a-z0-9.+-]+$/)), MediaType),
});
const Operation = v.strictObject({
  operationId: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9]*$/)),
  tags: v.pipe(v.array(v.string()), v.minLength(1)),
  summary: v.pipe(v.string(), v.minLength(1)),
  description: v.pipe(v.string(), v.minLength(1)),
  parameters: v.array(Parameter),
  requestBody: v.optional(
    v.strictObject({
      description: v.pipe(v.string(), v.minLength(1)),
      required: v.boolean(),
      content: v.record(v.pipe(v.string(), v.regex(/^[a-z]+\/[a-z0-9.+-]+$/)), MediaType),
    }),
  ),
  responses: v.record(v.pipe(v.string(), v.regex(/^[1-5]\d\d$/)), v.union([Reference, Response])),
  'x-runtimes': v.optional(v.array(v.picklist(['node', 'workerd']))),
  'x-query-ignored': v.optional(v.literal(true)),
});
const OpenApi31 = v.strictObject({
  openapi: v.pipe(v.string(), v.regex(/^3\.1\.\d+$/)),
  jsonSchemaDialect: v.literal('https://json-schema.org/draft/2020-12/schema'),
  info: v.strictObject({ title: v.string(), version: v.string(), description: v.string() }),
  tags: v.array(v.strictObject({ name: v.string(), description: v.string() })),
  paths: v.record(
    v.pipe(v.string(), v.startsWith('/')),
    v.strictObject({
      get: v.optional(Operation),
      post: v.optional(Operation),
      put: v.optional(Operation),
      delete: v.optional(Operation),
    }),
  ),
  components: v.strictObject({
    schemas: v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]+$/)), SchemaObject),
    responses: v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]+$/)), Response),
    headers: v.record(v.string(), v.strictObject({ description: v.string(), schema: SchemaObject })),
  }),
});

/** Every `$ref` in a JSON value, with where it was found. */
function references(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => references(item, `${at}/${index}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [{ ref: item, at }] : references(item, `${at}/${key}`),
  );
}

function resolvePointer(root: unknown, pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      root,
    );
}

const allResponses = (operation: OperationDoc): ResponseDoc[] => operation.responses;

describe('the OpenAPI document', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('documents every route the app registers, and nothing it does not', async () => {
    const settings = parseNodeSettings({ APP_ENV: 'test', SERVER_ID: 'routes-check' }, 'unused');
    const service = createNodeService({ settings, database: database.settings });
    try {
      expect(documentedRoutes(document)).toEqual(registeredRoutes(service.app.routes));
    } finally {
      await service.close();
    }
  });

  it('is structurally OpenAPI 3.1: required fields, known fields only, unique operation ids, resolvable $refs', () => {
    const result = v.safeParse(OpenApi31, document);
    expect(result.success, JSON.stringify(result.issues?.map((issue) => [v.getDotPath(issue), issue.message]))).toBe(true);
    const ids = OPERATIONS.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const declaredTags = new Set(document.tags.map((tag) => tag.name));
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        for (const tag of operation.tags) expect(declaredTags).toContain(tag);
        const names = operation.parameters.map((parameter) => `${parameter.in}:${parameter.name}`);
        expect(new Set(names).size, `${operation.operationId} repeats a parameter`).toBe(names.length);
      }
    }
    const found = references(document);
    expect(found.length).toBeGreaterThan(10);
    for (const { ref, at } of found) expect(resolvePointer(document, ref), `${ref} (at ${at}) points at nothing`).toBeDefined();
  });

  it('has component schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: true });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${JSON.stringify(ajv.errors)}`).toBe(true);
      expect(() => validatorFor(name), name).not.toThrow();
    }
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        for (const parameter of operation.parameters) {
          expect(ajv.validateSchema(parameter.schema), `${operation.operationId} ${parameter.name}`).toBe(true);
        }
      }
    }
  });

  it('documents a 400 for every operation that validates its query, and describes every parameter', () => {
    for (const operation of OPERATIONS) {
      const statuses = operation.responses.map((response) => response.status);
      expect(
        statuses.some((status) => [200, 201, 202, 303].includes(status)),
        `${operation.operationId} documents its success`,
      ).toBe(true);
      if (operation.query !== undefined) expect(statuses, `${operation.operationId} validates its query`).toContain(400);
      for (const name of Object.keys(operation.query?.parameters ?? {})) {
        expect(operation.query?.parameters[name]?.description, `${operation.operationId} ${name}`).not.toBe('');
      }
    }
    expect(document.components.responses.NotFound).toBeDefined();
    expect(document.components.responses.InternalError).toBeDefined();
  });

  it('has examples that satisfy their schemas, and example requests the validator accepts or refuses as shown', () => {
    let checked = 0;
    const sharedResponses: ResponseDoc[] = Object.values(SHARED_RESPONSES);
    for (const response of [...OPERATIONS.flatMap(allResponses), ...sharedResponses]) {
      for (const example of response.examples) {
        expectValid(response.schema, example.body, `example ${example.name}`);
        checked += 1;
      }
    }
    for (const operation of OPERATIONS) {
      if (operation.query === undefined) continue;
      for (const response of operation.responses) {
        for (const example of response.examples) {
          // A POST's examples fail or pass by their body: the live check below sends them.
          if (example.request !== undefined && example.query === undefined) continue;
          // The very schema the route parses its query with.
          const parsed = v.safeParse(operation.query.schema, example.query ?? {});
          expect(parsed.success, `${operation.operationId} example ${example.name}`).toBe(response.status !== 400);
        }
      }
    }
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        for (const parameter of operation.parameters) {
          const validate = new Ajv2020({ strict: true }).compile(parameter.schema);
          for (const [name, example] of Object.entries(parameter.examples ?? {})) {
            expect(validate(example.value), `${operation.operationId} ${parameter.name} example ${name}`).toBe(true);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

/** The URL of an example's request. */
function exampleUrl(base: string, path: string, query: Record<string, string> | undefined): string {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url.toString();
}

/** What a documented response is checked against: its schema, or the media type for text. */
async function expectDocumented(response: Response, documented: ResponseDoc, what: string): Promise<unknown> {
  expect(response.status, what).toBe(documented.status);
  expect(response.headers.get('content-type') ?? '', what).toContain(documented.mediaType);
  expect(response.headers.get('x-request-id'), what).toBeTruthy();
  const body: unknown = documented.mediaType === 'application/json' ? await response.json() : await response.text();
  expectValid(documented.schema, body, `${what} answered`);
  return body;
}

describe.each(RUNTIMES)('live responses on %s', (runtime) => {
  let database: TestDatabase;
  let server: RuntimeServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startRuntime(runtime, database, { env: { SERVER_ID: 'docs-check' } });
    // The site the examples send page views of.
    await registerSite(database, 'example.com');
    // Visits, so lists and counts are not empty.
    for (const agent of ['docs-check/1', 'docs-check/2']) {
      const response = await fetch(`${server.url}/`, { headers: { 'user-agent': agent } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('serves the document built from the code at /openapi.json', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('answers a plain GET of every documented operation it serves as documented', async () => {
    for (const operation of OPERATIONS.filter((candidate) => candidate.method === 'get' && servedOn(candidate, runtime))) {
      const ok = operation.responses.find((response) => response.status === 200);
      if (ok === undefined) throw new Error(`${operation.operationId} documents no 200`);
      await expectDocumented(await fetch(exampleUrl(server.url, examplePath(operation), {})), ok, `GET ${operation.path}`);
    }
  });

  it('answers every documented example request with its documented status and shape', async () => {
    let checked = 0;
    for (const operation of OPERATIONS.filter((candidate) => servedOn(candidate, runtime))) {
      for (const documented of operation.responses) {
        // 503 and 500 need a failing database; their examples are checked against the schema above.
        if (documented.status >= 500) continue;
        for (const example of documented.examples) {
          const what = `${operation.operationId} example ${example.name}`;
          const init: RequestInit =
            example.request === undefined
              ? {}
              : { method: 'POST', body: JSON.stringify(example.request.body), headers: example.request.headers ?? {} };
          const body = await expectDocumented(
            await fetch(exampleUrl(server.url, examplePath(operation, example), example.query), init),
            documented,
            what,
          );
          // Refusals are deterministic: the documented body is exactly what the route says.
          if (documented.status >= 400) expect(body, what).toEqual(example.body);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(8);
  });

  it('answers an unknown path with the documented 404, naming the endpoints and /docs', async () => {
    const body = await expectDocumented(
      await fetch(`${server.url}/api/visitors`),
      SHARED_RESPONSES.NotFound,
      'GET /api/visitors',
    );
    expect(JSON.stringify(body)).toContain('/docs describes them');
  });

  it('answers a listed path asked with another method with the documented 405 and Allow, changing nothing', async () => {
    const [before] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    for (const [method, path, allow] of [
      ['POST', '/', 'GET, HEAD'],
      ['DELETE', '/api/visits', 'GET, HEAD'],
      ['GET', '/api/event', 'POST'],
      ['PUT', '/api/sites/example.com', 'DELETE'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.headers.get('allow'), `${method} ${path}`).toBe(allow);
      const body = await expectDocumented(response, SHARED_RESPONSES.MethodNotAllowed, `${method} ${path}`);
      expect(body).toEqual({ error: 'method_not_allowed', message: `${method} is not allowed on ${path}: it takes ${allow}.` });
    }
    const [after] = await database.query<{ n: number }>('SELECT COUNT(*) AS n FROM visits');
    expect(Number(after?.n)).toBe(Number(before?.n));
  });

  it('serves exactly the operations documented for it, and lists exactly those in a 404', async () => {
    const notServed = OPERATIONS.filter((candidate) => !servedOn(candidate, runtime)).map((operation) => operation.path);
    // /metrics needs a scraper that can reach the instance: Node only.
    expect(notServed).toEqual(runtime === 'workerd' ? ['/metrics'] : []);
    for (const path of notServed) {
      const response = await fetch(exampleUrl(server.url, path, {}));
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
    const { message } = (await (await fetch(`${server.url}/nowhere`)).json()) as { message: string };
    const served = OPERATIONS.filter((candidate) => servedOn(candidate, runtime)).map(
      (operation) => `${operation.method.toUpperCase()} ${operation.path}`,
    );
    expect(message).toContain(`Available: ${served.join(', ')};`);
  });

  it('serves /docs: HTML naming every path, under the strict CSP, without script', async () => {
    const response = await fetch(`${server.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    const page = await response.text();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`<style nonce="${nonce}">`);
    // No script and nothing fetched or linked elsewhere; example bodies may quote URLs as text.
    expect(page).not.toMatch(/<script|(?:src|href|action)=["']?(?:https?:)?\/\//);
    expect(page).not.toMatch(/<link(?![^>]*href="data:)/);
    for (const path of Object.keys(document.paths)) expect(page).toContain(`<code>${path}</code>`);
    for (const name of Object.keys(document.components.schemas)) expect(page).toContain(`id="schema-${name}"`);
    // Examples are text: JSON quotes arrive escaped, never as markup.
    expect(page).toContain('&quot;invalid_request&quot;');
    // A route that ignores its query string is not said to refuse parameters (GET / takes UTM-tagged links).
    const home = page.slice(page.indexOf('id="op-viewDashboard"'), page.indexOf('id="op-listVisits"'));
    expect(home).toContain('the query string is not read');
    expect(home).not.toContain('refused with 400');
    const info = page.slice(page.indexOf('id="op-getInfo"'), page.indexOf('id="op-checkReadiness"'));
    expect(info).toContain('refused with 400');
  });
});

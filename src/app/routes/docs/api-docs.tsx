import type { JsonSchema } from '@valibot/to-json-schema';
import type {
  ExampleObject,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  ResponseObject,
  ResponseOrReference,
} from '../../openapi/document';

export interface ApiDocsProps {
  document: OpenApiDocument;
  styleNonce: string | undefined;
}

const STYLE = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --card: rgba(127,127,127,.08); --line: rgba(127,127,127,.25); }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 64rem; padding: 1rem; overflow-wrap: break-word; }
h1 { margin: .2rem 0; font-size: 1.6rem; }
h2 { font-size: 1.25rem; margin: 0 0 .3rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.meta { color: var(--muted); }
.card { background: var(--card); border-radius: .6rem; padding: 1rem; margin: 1rem 0; min-width: 0; }
.method { background: var(--accent); color: #fff; border-radius: .3rem; padding: 0 .4rem; font-size: .85rem; margin-right: .3rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre { background: rgba(127,127,127,.12); padding: .6rem; border-radius: .4rem; overflow-x: auto; margin: .3rem 0; overflow-wrap: normal; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
ul.toc { padding-left: 1.2rem; }
a { color: var(--accent); }
footer { margin-top: 1.5rem; color: var(--muted); }
/* Phones: each row of a field table becomes a block of labelled lines, so no column is squeezed to a letter. */
@media (max-width: 40rem) {
  table.fields thead { display: none; }
  table.fields tr { display: block; border-bottom: 1px solid var(--line); padding: .3rem 0; }
  table.fields td { display: block; border: 0; padding: .1rem .2rem; }
  table.fields td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  table.fields td:empty { display: none; }
}
`;

/** Text with `backticks` shown as code, the way the descriptions are written. */
function Prose({ text }: { text: string }) {
  return <>{text.split('`').map((part, index) => (index % 2 === 1 ? <code>{part}</code> : part))}</>;
}

function schemaName(reference: string): string {
  return reference.slice(reference.lastIndexOf('/') + 1);
}

/** A schema's type in a few words: `array of Visit`, `string or null`, `"healthy"`. */
function typeText(schema: JsonSchema): string {
  if (schema.$ref !== undefined) return schemaName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  if (schema.anyOf !== undefined) return schema.anyOf.map((option) => typeText(option as JsonSchema)).join(' or ');
  if (schema.type === 'array' && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    return `array of ${typeText(schema.items)}`;
  }
  return Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
}

/** The rules a value must follow besides its type. */
function constraintsText(schema: JsonSchema): string {
  const rules: string[] = [];
  if (schema.format !== undefined) rules.push(`format ${schema.format}`);
  if (schema.pattern !== undefined) rules.push(`pattern ${schema.pattern}`);
  if (schema.minimum !== undefined) rules.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) rules.push(`≤ ${schema.maximum}`);
  if (schema.minItems !== undefined) rules.push(`at least ${schema.minItems} item(s)`);
  if (schema.default !== undefined) rules.push(`default ${JSON.stringify(schema.default)}`);
  return rules.join('; ');
}

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** An object's fields, nested inline objects and arrays of them flattened as `a.b` and `a[].b`. */
function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, value]) => {
    const field = value as JsonSchema;
    const row = { name: `${prefix}${name}`, schema: field, required: required.has(name) };
    const items =
      field.type === 'array' && typeof field.items === 'object' && !Array.isArray(field.items) ? field.items : undefined;
    if (field.type === 'object' && field.properties !== undefined) return [row, ...fieldRows(field, `${row.name}.`)];
    if (items?.type === 'object') return [row, ...fieldRows(items, `${row.name}[].`)];
    return [row];
  });
}

function SchemaTable({ schema }: { schema: JsonSchema }) {
  const rows = fieldRows(schema);
  if (rows.length === 0) {
    const constraints = constraintsText(schema);
    return (
      <p>
        {typeText(schema)}
        {constraints === '' ? '' : ` (${constraints})`}
        {schema.description === undefined ? '' : ` — ${schema.description}`}
      </p>
    );
  }
  return (
    <div class="scroll">
      <table class="fields">
        <thead>
          <tr>
            <th>Field</th>
            <th>Type</th>
            <th>Required</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td>
                <code>{row.name}</code>
              </td>
              <td data-label="type">
                <TypeLink schema={row.schema} />
                {constraintsText(row.schema) === '' ? '' : <div class="meta">{constraintsText(row.schema)}</div>}
              </td>
              <td data-label="required">{row.required ? 'yes' : 'no'}</td>
              <td>{row.schema.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TypeLink({ schema }: { schema: JsonSchema }) {
  const reference =
    schema.$ref ?? (typeof schema.items === 'object' && !Array.isArray(schema.items) ? schema.items.$ref : undefined);
  if (reference === undefined) return <>{typeText(schema)}</>;
  return <a href={`#schema-${schemaName(reference)}`}>{typeText(schema)}</a>;
}

function ParametersTable({ parameters, queryIgnored }: { parameters: ParameterObject[]; queryIgnored: boolean }) {
  if (queryIgnored)
    return <p class="meta">No parameters: the query string is not read (links may carry tags such as utm_source).</p>;
  if (parameters.length === 0) return <p class="meta">No parameters: any given is refused with 400.</p>;
  return (
    <div class="scroll">
      <table class="fields">
        <thead>
          <tr>
            <th>Name</th>
            <th>In</th>
            <th>Required</th>
            <th>Type</th>
            <th>Constraints</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {parameters.map((parameter) => (
            <tr>
              <td>
                <code>{parameter.name}</code>
              </td>
              <td data-label="in">{parameter.in}</td>
              <td data-label="required">{parameter.required ? 'yes' : 'no'}</td>
              <td data-label="type">{typeText(parameter.schema)}</td>
              <td data-label="constraints">{constraintsText(parameter.schema)}</td>
              <td>
                <Prose text={parameter.description} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The request an example stands for: the parameters whose examples carry the same name. */
function exampleRequest(method: string, path: string, parameters: ParameterObject[], exampleName: string): string {
  const query = new URLSearchParams();
  for (const parameter of parameters) {
    const example = parameter.examples?.[exampleName];
    if (example !== undefined) query.set(parameter.name, String(example.value));
  }
  const search = query.toString();
  return `${method.toUpperCase()} ${path}${search === '' ? '' : `?${search}`}`;
}

function Examples(props: { examples: Record<string, ExampleObject>; request?: ((name: string) => string) | undefined }) {
  return (
    <>
      {Object.entries(props.examples).map(([name, example]) => (
        <div>
          <p>
            <strong>Example:</strong> <Prose text={example.summary} />
          </p>
          <pre>{`${props.request === undefined ? '' : `${props.request(name)}\n\n`}${JSON.stringify(example.value, null, 2)}`}</pre>
        </div>
      ))}
    </>
  );
}

function ResponseBody(props: { heading: string; response: ResponseObject; request?: (name: string) => string }) {
  const { response } = props;
  return (
    <div>
      <h3>
        {props.heading} <span class="meta">{response.description}</span>
      </h3>
      {Object.entries(response.content).map(([mediaType, content]) => (
        <>
          <p>
            <code>{mediaType}</code>: <a href={`#schema-${schemaName(content.schema.$ref)}`}>{schemaName(content.schema.$ref)}</a>
          </p>
          {content.examples === undefined ? '' : <Examples examples={content.examples} request={props.request} />}
        </>
      ))}
    </div>
  );
}

function Responses(props: { responses: Record<string, ResponseOrReference>; request: (name: string) => string }) {
  return (
    <>
      {Object.entries(props.responses).map(([status, response]) =>
        '$ref' in response ? (
          <h3>
            {status}{' '}
            <span class="meta">
              see <a href="#errors">{schemaName(response.$ref)}</a>
            </span>
          </h3>
        ) : (
          <ResponseBody heading={status} response={response} request={props.request} />
        ),
      )}
    </>
  );
}

function Operation(props: { method: string; path: string; operation: OperationObject }) {
  const { operation } = props;
  return (
    <section class="card" id={`op-${operation.operationId}`}>
      <h2>
        <span class="method">{props.method.toUpperCase()}</span>
        <code>{props.path}</code>
      </h2>
      <p>
        <strong>{operation.summary}.</strong> <Prose text={operation.description} />
      </p>
      {operation['x-runtimes'] === undefined ? '' : <p class="meta">Served on {operation['x-runtimes'].join(', ')} only.</p>}
      <h3>Parameters</h3>
      <ParametersTable parameters={operation.parameters} queryIgnored={operation['x-query-ignored'] === true} />
      <Responses
        responses={operation.responses}
        request={(name) => exampleRequest(props.method, props.path, operation.parameters, name)}
      />
    </section>
  );
}

/** The OpenAPI document as a page for people: no script, styled by one nonce'd block. */
export function ApiDocs({ document, styleNonce }: ApiDocsProps) {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${document.info.title} API ${document.info.version}`}</title>
        {/* No icon, said inline: otherwise every browser asks for /favicon.ico and logs its 404. */}
        <link rel="icon" href="data:," />
        {/* A constant, so it needs no escaping; the nonce lets the CSP allow exactly this block. */}
        <style nonce={styleNonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header>
          <h1>{`${document.info.title} API`}</h1>
          <p class="meta">
            version {document.info.version} · OpenAPI {document.openapi} · <a href="/openapi.json">/openapi.json</a> ·{' '}
            <a href="/">dashboard</a>
          </p>
          <p>
            <Prose text={document.info.description} />
          </p>
        </header>
        <nav class="card" id="contents">
          <h2>Operations</h2>
          <ul class="toc">
            {operations.map(({ path, method, operation }) => (
              <li>
                <a href={`#op-${operation.operationId}`}>
                  {method.toUpperCase()} {path}
                </a>{' '}
                — {operation.summary}
              </li>
            ))}
          </ul>
        </nav>
        {operations.map(({ path, method, operation }) => (
          <Operation method={method} path={path} operation={operation} />
        ))}
        <section class="card" id="errors">
          <h2>Errors any path can give</h2>
          {Object.entries(document.components.responses).map(([name, response]) => (
            <ResponseBody heading={name} response={response} />
          ))}
        </section>
        <section class="card" id="schemas">
          <h2>Schemas</h2>
          {Object.entries(document.components.schemas).map(([name, schema]) => (
            <div id={`schema-${name}`}>
              <h3>{name}</h3>
              <SchemaTable schema={schema} />
            </div>
          ))}
        </section>
        <footer>Generated from the service's own validation schemas; no script on this page.</footer>
      </body>
    </html>
  );
}

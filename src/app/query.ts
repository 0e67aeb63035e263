import type { Context } from 'hono';
import * as v from 'valibot';
import { InvalidRequestError } from './errors';

/** Query strings are parsed by valibot schemas; each route keeps its own beside its handler. */

/** Parses the query string with a schema; unknown parameters are errors, so typos do not pass silently. */
export function parseQuery<const TSchema extends v.GenericSchema>(c: Context, schema: TSchema): v.InferOutput<TSchema> {
  // `?limit=1&limit=2` would silently mean one of them: refused instead, naming the parameter.
  // Only looked for when the query string could hold a repeat (most requests have none).
  if (c.req.url.includes('&')) {
    const repeated = Object.entries(c.req.queries())
      .filter(([, values]) => values.length > 1)
      .map(([field]) => ({ field, message: 'is given more than once: give it once' }));
    if (repeated.length > 0) throw new InvalidRequestError(repeated);
  }
  return parseOrRefuse(schema, c.req.query(), 'query');
}

/**
 * Parses a request's query or body with its schema, or throws InvalidRequestError with one issue
 * per field at fault; an issue about the whole input is named `whole`.
 */
export function parseOrRefuse<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  whole: string,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new InvalidRequestError(
    result.issues.map((issue) => ({
      field: v.getDotPath(issue) ?? whole,
      message: isMissingKey(issue) ? REQUIRED : issue.message,
    })),
  );
}

const REQUIRED = 'is required';

/**
 * valibot reports a required key that is absent with its object's message, which for these
 * schemas is UNKNOWN_PARAMETER (meant for keys given that the object does not take).
 */
function isMissingKey(issue: v.BaseIssue<unknown>): boolean {
  return (
    (issue.type === 'strict_object' || issue.type === 'object' || issue.type === 'loose_object') &&
    issue.received === 'undefined' &&
    issue.expected !== 'never'
  );
}

/** The message for a parameter a route does not take. */
export const UNKNOWN_PARAMETER = 'is not a known parameter';

/** For endpoints without parameters: anything given is a mistake worth reporting. */
export const NoQuery = v.strictObject({}, UNKNOWN_PARAMETER);

/**
 * A request body as JSON, whatever its Content-Type, parsed with its schema; anything that is
 * not a JSON object is one issue on `body` that shows what to send.
 */
export function parseJsonBody<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  text: string,
  example: string,
): v.InferOutput<TSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError([{ field: 'body', message: `expected a JSON object like ${example}` }]);
  }
  return parseOrRefuse(schema, parsed, 'body');
}

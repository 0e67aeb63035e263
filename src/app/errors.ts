import * as v from 'valibot';

/**
 * The one error shape of the API: 400 invalid_request with one issue per parameter at fault,
 * 404 not_found, 500 internal_error with the request id. Handlers throw InvalidRequestError
 * (parseQuery does); create-app.ts answers it and everything unexpected.
 */

/** One problem with a request, named by the parameter at fault. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Thrown by parseQuery; the app's error handler answers it with 400 invalid_request. */
export class InvalidRequestError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '));
    this.name = 'InvalidRequestError';
  }
}

export const InvalidRequestBody = v.strictObject({
  error: v.literal('invalid_request'),
  issues: v.pipe(
    v.array(
      v.strictObject({
        field: v.pipe(v.string(), v.description('the parameter at fault')),
        message: v.pipe(v.string(), v.description('what it expects')),
      }),
    ),
    v.minLength(1),
    v.description('one issue per bad or unknown parameter'),
  ),
});

export const NotFoundBody = v.strictObject({
  error: v.literal('not_found'),
  message: v.pipe(v.string(), v.description('the path asked for and the endpoints there are')),
});

/** A request refused for where it comes from: a site not registered, an origin not the site's, a form from another site. */
export const ForbiddenBody = v.strictObject({
  error: v.picklist(['unknown_site', 'forbidden_origin']),
  message: v.pipe(v.string(), v.description('what was refused and what to do')),
});

export const MethodNotAllowedBody = v.strictObject({
  error: v.literal('method_not_allowed'),
  message: v.pipe(v.string(), v.description('the method asked for and the ones the path takes (also in Allow)')),
});

export const InternalErrorBody = v.strictObject({
  error: v.literal('internal_error'),
  request_id: v.pipe(v.string(), v.description('the id of the log line with the details; also in X-Request-Id')),
});

export const DatabaseUnavailableBody = v.strictObject({
  error: v.literal('database_unavailable'),
  message: v.pipe(v.string(), v.description('what happened and when to try again')),
  request_id: v.pipe(v.string(), v.description('the id of the log line; also in X-Request-Id')),
});

export const RateLimitedBody = v.strictObject({
  error: v.literal('rate_limited'),
  message: v.pipe(v.string(), v.description('how long to wait (also in Retry-After)')),
});

export const PayloadTooLargeBody = v.strictObject({
  error: v.literal('payload_too_large'),
  message: v.pipe(v.string(), v.description('the limit, and what to send instead')),
});

export type RateLimitedJson = v.InferOutput<typeof RateLimitedBody>;
export type PayloadTooLargeJson = v.InferOutput<typeof PayloadTooLargeBody>;
export type DatabaseUnavailableJson = v.InferOutput<typeof DatabaseUnavailableBody>;
export type InvalidRequestJson = v.InferOutput<typeof InvalidRequestBody>;
export type NotFoundJson = v.InferOutput<typeof NotFoundBody>;
export type ForbiddenJson = v.InferOutput<typeof ForbiddenBody>;
export type MethodNotAllowedJson = v.InferOutput<typeof MethodNotAllowedBody>;
export type InternalErrorJson = v.InferOutput<typeof InternalErrorBody>;

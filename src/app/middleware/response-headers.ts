import type { Context, MiddlewareHandler } from 'hono';
import { REQUEST_ID_MAX_LENGTH } from '../../domain/visit';

declare module 'hono' {
  interface ContextVariableMap {
    /** The request's id: the proxy's (nginx's $request_id) when it sent a usable one, else a new one. */
    requestId: string;
    /** What every response of this request carries (src/app/respond.ts completes and sends them). */
    responseHeaders: ResponseHeaders;
  }
}

const POLICY_AFTER_STYLE = "img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/** The policy of a response without a page of its own (JSON, text): no style, no form. */
const POLICY_WITHOUT_STYLE = `default-src 'none'; ${POLICY_AFTER_STYLE}; form-action 'none'`;

/**
 * The policy of an HTML page: its one style block, by the nonce it carries, and forms that post
 * to this server only (the dashboard's date range, sign-in and sign-out).
 */
export function policyWithStyleNonce(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; ${POLICY_AFTER_STYLE}; form-action 'self'`;
}

const NONCE_BYTES = 16;
/** Random bytes drawn a page at a time: one call to the system's generator per 256 nonces, not per page view. */
let randomPool = new Uint8Array(0);
let randomOffset = 0;

/** A fresh nonce for a page's style block: 128 random bits, base64. Only HTML pages need one. */
export function newStyleNonce(): string {
  if (randomOffset + NONCE_BYTES > randomPool.length) {
    randomPool = crypto.getRandomValues(new Uint8Array(NONCE_BYTES * 256));
    randomOffset = 0;
  }
  const bytes = randomPool.subarray(randomOffset, randomOffset + NONCE_BYTES);
  randomOffset += NONCE_BYTES;
  return btoa(String.fromCharCode(...bytes));
}

/** The headers a response carries; respond.ts fills in the content type (and a page's policy). */
export type ResponseHeaders = Record<string, string>;

/**
 * Every response's headers, made afresh for each request (the respond helpers complete them in
 * place): the request id, the security headers hono/secure-headers sets by default, and a
 * Content-Security-Policy that allows no style (an HTML page replaces it with its nonce's). One
 * object literal, so each request's record has the same fixed shape.
 */
function headersFor(requestId: string): ResponseHeaders {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'content-security-policy': POLICY_WITHOUT_STYLE,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=15552000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-request-id': requestId,
    'x-xss-protection': '0',
  };
}

const USABLE_REQUEST_ID = /^[\w\-=]+$/;

/**
 * Decides the request id (keeping one a proxy assigned, so one id follows the request through
 * every tier's logs) and the headers every response carries. They are a plain record, added when
 * the response is made (src/app/respond.ts), rather than set on a finished response: that would
 * turn its headers into a Headers object the Node adapter then has to copy and sort again.
 */
export function responseHeaders(): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const id =
      given !== undefined && given.length <= REQUEST_ID_MAX_LENGTH && USABLE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    c.set('responseHeaders', headersFor(id));
    await next();
  };
}

/** This request's response headers, to complete and send (the middleware above ran for every request). */
export function headersOf(c: Context): ResponseHeaders {
  return c.get('responseHeaders') ?? headersFor(c.get('requestId') ?? crypto.randomUUID());
}

import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AppDependencies } from './dependencies';
import type { DatabaseUnavailableJson } from './errors';
import { errorFields } from './logging/logger';
import { newStyleNonce } from './middleware/response-headers';
import { html as htmlResponse, json } from './respond';

/** What a 503 asks clients to wait: long enough for a restarted database or a burst to pass. */
export const RETRY_AFTER_SECONDS = 5;

const PAGE_STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}';

/** The pages people open in a browser: they get a page back, the API gets JSON. */
const isPage = (c: Context) => c.req.method === 'GET' && (c.req.path === '/' || c.req.path.startsWith('/sites'));

/**
 * The answer when the database could not be reached or used in time (src/services/availability.ts):
 * 503 with Retry-After, and one warn line. Except after the request's own write committed
 * (GET /'s visit, a page view): it was recorded, so the answer is the success the route set
 * (answerIfUnavailable), and a retry does not count it twice. The pixel sets its image.
 */
export async function databaseUnavailable(c: Context, error: unknown, deps: Pick<AppDependencies, 'logger'>): Promise<Response> {
  const requestId = c.get('requestId');
  const answerIfUnavailable = c.get('answerIfUnavailable');
  deps.logger.warn('database unavailable', {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    answered: answerIfUnavailable === undefined ? 503 : 'as the route set',
    ...errorFields(error),
    stack: undefined,
  });
  if (answerIfUnavailable !== undefined) return answerIfUnavailable();
  const response = isPage(c)
    ? await messagePage(c, 503, 'Temporarily unavailable', [
        'The database did not answer in time, so this page could not be shown.',
        `Try again in ${RETRY_AFTER_SECONDS} seconds.`,
      ])
    : json(
        c,
        {
          error: 'database_unavailable',
          message: `the database is unreachable or overloaded: try again in ${RETRY_AFTER_SECONDS} s`,
          request_id: requestId,
        } satisfies DatabaseUnavailableJson,
        503,
      );
  response.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  return response;
}

/** GET /'s answer when its visit is recorded but the figures cannot be read: 200, without them. */
export function recordedWithoutFigures(c: Context): Promise<Response> {
  return messagePage(c, 200, 'Visit recorded', [
    'Your visit is recorded.',
    'The figures cannot be read from the database right now; reload in a few seconds to see them.',
  ]);
}

/** A short page that says one thing, under the strict CSP: for 429s and 503s of pages opened in a browser. */
export async function messagePage(c: Context, status: number, title: string, lines: string[]): Promise<Response> {
  const styleNonce = newStyleNonce();
  const body = await html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · visit-tracker</title><style nonce="${styleNonce}">${PAGE_STYLE}</style></head>
<body><h1>${title}</h1>${lines.map((line) => html`<p>${line}</p>`)}<p><small>Request ${c.get('requestId')}</small></p></body></html>`;
  return htmlResponse(c, String(body), { styleNonce, status, cacheControl: 'no-store' });
}

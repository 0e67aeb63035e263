import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { PayloadTooLargeJson } from '../errors';
import { json } from '../respond';

/**
 * Refuses a request body over `maxBytes` with 413 `payload_too_large` and `message`. A body
 * that declares its length is judged by the header alone; hono/body-limit would first touch
 * `c.req.raw.body`, which on Node turns the adapter's lightweight request into a full WHATWG
 * Request with a web stream over the socket: about a tenth of POST /api/event's CPU went to
 * that (undici and web streams in --cpu-prof), and the bench's POST /api/event : GET / went
 * from 0.79 to 0.91 without it (docs/benchmark.md). A chunked body, with no length to judge,
 * is counted as it streams by hono's.
 */
export function limitBody(maxBytes: number, message: string): MiddlewareHandler {
  const tooLarge = (c: Context) => json(c, { error: 'payload_too_large', message } satisfies PayloadTooLargeJson, 413);
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number(declared) > maxBytes) return tooLarge(c);
    await next();
  };
}

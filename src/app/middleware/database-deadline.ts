import type { MiddlewareHandler } from 'hono';
import { withDeadline } from '../../services/deadline';

declare module 'hono' {
  interface ContextVariableMap {
    /** When the request is answered 503 if it is not done (epoch ms): writes still waiting then are dropped. */
    deadline: number;
    /**
     * The answer to give instead of a 503 if the database fails from here on: set once the
     * request's own write (a visit, a page view) is committed, since saying it failed would make
     * the client retry and count it twice; and by the pixel, which is an image whatever happens.
     */
    answerIfUnavailable: () => Response | Promise<Response>;
  }
}

/**
 * Bounds how long a request waits on the database (DB_REQUEST_TIMEOUT_MS): past the deadline
 * it is answered 503 with Retry-After (create-app.ts) whatever it is waiting for, and a visit or
 * page view still queued then is not written (src/services/visit-batcher.ts). The probes are
 * left out: /health has its own, shorter deadline, and /health/live never waits.
 */
export function databaseDeadline(ms: number): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith('/health')) return next();
    c.set('deadline', Date.now() + ms);
    await withDeadline(next(), ms, 'DB_REQUEST_TIMEOUT_MS');
  };
}

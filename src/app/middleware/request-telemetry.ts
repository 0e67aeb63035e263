import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from '../logging/logger';
import { type AppMetrics, UNMATCHED_ROUTE } from '../metrics';

// A path is for reading, not for grouping (that is `route`); a long one is cut.
const PATH_LOGGED_MAX_LENGTH = 200;

/**
 * One log line and one metrics observation per request, after the response is ready (errors
 * included: the error handler has set a 500 by then). The log line is a handful of scalars, so
 * the hot path stringifies nothing large.
 */
export function requestTelemetry(deps: { logger: Logger; metrics?: AppMetrics | undefined }): MiddlewareHandler {
  // Decided once: at LOG_LEVEL=warn (the benchmark's, and a busy production's) no request line is built.
  const logRequests = deps.logger.isEnabled('info');
  return async (c, next) => {
    const started = performance.now();
    await next();
    const durationMs = performance.now() - started;
    const route = routePattern(c);
    const status = c.res.status;
    deps.metrics?.observeRequest({ method: c.req.method, route, status, durationMs });
    if (!logRequests) return;
    deps.logger.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      route,
      path: c.req.path.slice(0, PATH_LOGGED_MAX_LENGTH),
      status,
      duration_ms: Math.round(durationMs * 10) / 10,
    });
  };
}

/**
 * The pattern of the route that matched (`/api/visits`, `/posts/:id`), or UNMATCHED_ROUTE.
 * Middleware registered with `use` matches every path under method ALL, so the last route with
 * a real method is the handler's, whether or not a middleware answered before it ran.
 */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let index = routes.length - 1; index >= 0; index--) {
    const route = routes[index];
    if (route !== undefined && route.method !== 'ALL') return route.path;
  }
  return UNMATCHED_ROUTE;
}

import { Hono } from 'hono';
import { isDatabaseUnavailable } from '../services/availability';
import { adminOnly, createAccess } from './access';
import type { AppDependencies } from './dependencies';
import {
  type InternalErrorJson,
  InvalidRequestError,
  type InvalidRequestJson,
  type MethodNotAllowedJson,
  type NotFoundJson,
} from './errors';
import { errorFields } from './logging/logger';
import { databaseDeadline } from './middleware/database-deadline';
import { rateLimited } from './middleware/rate-limit';
import { requestTelemetry } from './middleware/request-telemetry';
import { responseHeaders } from './middleware/response-headers';
import { json } from './respond';
import { docsRoutes } from './routes/docs/route';
import { eventRoutes } from './routes/events/route';
import { homeRoutes } from './routes/home/route';
import { metricsRoutes } from './routes/metrics/route';
import { allowedMethods, methodNotAllowedMessage, notFoundMessage } from './routes/operations';
import { signInRoutes } from './routes/sign-in/route';
import { siteAdminRoutes } from './routes/site-admin/route';
import { siteRoutes } from './routes/sites/route';
import { statsRoutes } from './routes/stats/route';
import { systemRoutes } from './routes/system/route';
import { trackerRoutes } from './routes/tracker/route';
import { visitsRoutes } from './routes/visits/route';
import { databaseUnavailable } from './unavailable';

/** The paths whose requests record a visit or a page view: RATE_LIMIT applies to them (and to sign-in). */
export const RECORDING_PATHS = ['/', '/api/event', '/pixel.gif'] as const;

/**
 * Builds the whole HTTP application from its dependencies. Every runtime entry point and
 * every test calls this; nothing here knows which runtime it is in.
 */
export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();

  // The request id (a proxy's, or a new one) and the security headers every response carries.
  app.use(responseHeaders());
  // One info line and one metrics observation per request (src/app/middleware/request-telemetry.ts).
  app.use(requestTelemetry(deps));
  // A request that waits on the database longer than DB_REQUEST_TIMEOUT_MS is answered 503.
  app.use(databaseDeadline(deps.settings.databaseDeadlineMs));

  // RATE_LIMIT: the routes that record something, per client address, before they run.
  if (deps.rateLimiter !== undefined) {
    const limit = rateLimited(deps.rateLimiter, deps.clientAddress);
    for (const path of RECORDING_PATHS) app.use(path, limit);
  }

  const access = createAccess(deps.settings, deps.clock);
  // Not a middleware on every path when no token is set: /api/visits is a hot path.
  if (access.tokensConfigured) {
    app.use('/api/visits', adminOnly(access, json));
    app.use('/metrics', adminOnly(access, json));
  }

  app.route('/', homeRoutes(deps));
  app.route('/', visitsRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', trackerRoutes(deps));
  app.route('/', siteRoutes(deps, access));
  app.route('/', signInRoutes(deps, access));
  app.route('/', siteAdminRoutes(deps, access));
  app.route('/', statsRoutes(deps));
  app.route('/', systemRoutes(deps));
  app.route('/', metricsRoutes(deps.metrics));
  app.route('/', docsRoutes(deps));

  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path, deps.instance.runtime.name);
    if (allowed.length > 0) {
      const body: MethodNotAllowedJson = {
        error: 'method_not_allowed',
        message: methodNotAllowedMessage(c.req.method, c.req.path, allowed),
      };
      const response = json(c, body, 405);
      response.headers.set('allow', allowed.join(', '));
      return response;
    }
    return json(
      c,
      {
        error: 'not_found',
        message: notFoundMessage(c.req.method, c.req.path, deps.instance.runtime.name),
      } satisfies NotFoundJson,
      404,
    );
  });

  app.onError((error, c) => {
    if (error instanceof InvalidRequestError) {
      return json(c, { error: 'invalid_request', issues: error.issues } satisfies InvalidRequestJson, 400);
    }
    if (isDatabaseUnavailable(error)) return databaseUnavailable(c, error, deps);
    const id = c.get('requestId');
    deps.logger.error('unhandled error', { request_id: id, method: c.req.method, path: c.req.path, ...errorFields(error) });
    return json(c, { error: 'internal_error', request_id: id } satisfies InternalErrorJson, 500);
  });

  return app;
}

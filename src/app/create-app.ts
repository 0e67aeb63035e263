import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { REQUEST_ID_MAX_LENGTH } from '../domain/visit';
import type { AppDependencies } from './dependencies';
import { type InternalErrorJson, InvalidRequestError, type InvalidRequestJson, type NotFoundJson } from './errors';
import { errorFields } from './logging/logger';
import { requestTelemetry } from './middleware/request-telemetry';
import { docsRoutes } from './routes/docs/route';
import { homeRoutes } from './routes/home/route';
import { metricsRoutes } from './routes/metrics/route';
import { notFoundMessage } from './routes/operations';
import { statsRoutes } from './routes/stats/route';
import { systemRoutes } from './routes/system/route';
import { visitsRoutes } from './routes/visits/route';

/**
 * Builds the whole HTTP application from its dependencies. Every runtime entry point and
 * every test calls this; nothing here knows which runtime it is in.
 */
export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();

  // Keeps an id a proxy already assigned (nginx's $request_id), so one id follows the
  // request through every tier's logs; otherwise makes one.
  app.use(requestId({ limitLength: REQUEST_ID_MAX_LENGTH }));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: [NONCE],
        imgSrc: ["'self'", 'data:'],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  // One info line and one metrics observation per request (src/app/middleware/request-telemetry.ts).
  app.use(requestTelemetry(deps));

  app.route('/', homeRoutes(deps));
  app.route('/', visitsRoutes(deps));
  app.route('/', statsRoutes(deps));
  app.route('/', systemRoutes(deps));
  app.route('/', metricsRoutes(deps.metrics));
  app.route('/', docsRoutes(deps));

  app.notFound((c) =>
    c.json(
      {
        error: 'not_found',
        message: notFoundMessage(c.req.method, c.req.path, deps.instance.runtime.name),
      } satisfies NotFoundJson,
      404,
    ),
  );

  app.onError((error, c) => {
    if (error instanceof InvalidRequestError) {
      return c.json({ error: 'invalid_request', issues: error.issues } satisfies InvalidRequestJson, 400);
    }
    const id = c.get('requestId');
    deps.logger.error('unhandled error', { request_id: id, method: c.req.method, path: c.req.path, ...errorFields(error) });
    return c.json({ error: 'internal_error', request_id: id } satisfies InternalErrorJson, 500);
  });

  return app;
}

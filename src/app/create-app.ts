import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { REQUEST_ID_MAX_LENGTH } from '../../db/schema';
import type { InternalErrorJson, InvalidRequestJson, NotFoundJson } from './api-contract';
import { notFoundMessage } from './api-operations';
import type { AppDependencies } from './dependencies';
import { errorFields } from './logger';
import { requestTelemetry } from './request-telemetry';
import { apiRoutes } from './routes/api';
import { docsRoutes } from './routes/docs';
import { homeRoutes } from './routes/home';
import { metricsRoutes } from './routes/metrics';
import { systemRoutes } from './routes/system';
import { InvalidRequestError } from './validation';

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
  // One info line and one metrics observation per request (src/app/request-telemetry.ts).
  app.use(requestTelemetry(deps));

  app.route('/', homeRoutes(deps));
  app.route('/api', apiRoutes(deps));
  app.route('/', systemRoutes(deps));
  app.route('/', metricsRoutes(deps.metrics));
  app.route('/', docsRoutes(deps));

  app.notFound((c) =>
    c.json(
      { error: 'not_found', message: notFoundMessage(c.req.method, c.req.path, deps.runtime.name) } satisfies NotFoundJson,
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

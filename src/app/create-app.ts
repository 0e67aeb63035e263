import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { REQUEST_ID_MAX_LENGTH } from '../../db/schema';
import type { AppDependencies } from './dependencies';
import { errorFields } from './logger';
import { apiRoutes } from './routes/api';
import { homeRoutes } from './routes/home';
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
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    deps.logger.debug('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });

  app.route('/', homeRoutes(deps));
  app.route('/api', apiRoutes(deps));
  app.route('/', systemRoutes(deps));

  app.notFound((c) =>
    c.json(
      {
        error: 'not_found',
        message: `No such endpoint: ${c.req.method} ${c.req.path}. Available: GET /, /api/visits, /api/stats, /info, /health, /health/live.`,
      },
      404,
    ),
  );

  app.onError((error, c) => {
    if (error instanceof InvalidRequestError) {
      return c.json({ error: 'invalid_request', issues: error.issues }, 400);
    }
    const id = c.get('requestId');
    deps.logger.error('unhandled error', { request_id: id, method: c.req.method, path: c.req.path, ...errorFields(error) });
    return c.json({ error: 'internal_error', request_id: id }, 500);
  });

  return app;
}

import { Hono } from 'hono';
import type { AppMetrics } from '../../metrics';
import { NoQuery, parseQuery } from '../../query';
import { text } from '../../respond';

/**
 * GET /metrics in Prometheus' text format, where the runtime can render it (Node). Without a
 * renderer (the Worker) the route does not exist and the request is an ordinary 404.
 * Not for the public: deploy/nginx/nginx.conf admits private networks only.
 */
export function metricsRoutes(metrics: AppMetrics | undefined): Hono {
  const routes = new Hono();
  const render = metrics?.render?.bind(metrics);
  if (render === undefined) return routes;
  routes.get('/metrics', async (c) => {
    parseQuery(c, NoQuery);
    const page = await render();
    return text(c, page.body, page.contentType, { cacheControl: 'no-store' });
  });
  return routes;
}

import type { Context } from 'hono';
import { Hono } from 'hono';
import { normalizeSiteDomain, SITE_NAME_MAX_LENGTH } from '../../../domain/site';
import { type Access, adminOnly } from '../../access';
import type { AppDependencies } from '../../dependencies';
import { InvalidRequestError, type NotFoundJson } from '../../errors';
import { limitBody } from '../../middleware/body-limit';
import { NoQuery, parseJsonBody, parseQuery } from '../../query';
import { json } from '../../respond';
import { siteJson } from '../sites/schemas';
import {
  SITE_ADMIN_BODY_MAX_BYTES,
  type SiteExistsJson,
  SiteRegistration,
  SiteRemovalQuery,
  type SiteRemovedJson,
} from './schemas';

/**
 * Registering and removing tracked sites over HTTP, for an administrator: what `npm run site`
 * does, except that removing here stops the tracking and leaves deleting the recorded data to
 * the next `npm run db:purge` (the service's database user may not delete data).
 */
export function siteAdminRoutes(deps: AppDependencies, access: Access): Hono {
  const routes = new Hono();
  const administrators = adminOnly(access, json);

  routes.post(
    '/api/sites',
    administrators,
    limitBody(SITE_ADMIN_BODY_MAX_BYTES, `a site is at most ${SITE_ADMIN_BODY_MAX_BYTES} bytes of JSON`),
    async (c) => {
      parseQuery(c, NoQuery);
      const body = parseJsonBody(SiteRegistration, await c.req.text(), '{"domain":"example.com","public":false}');
      const canonical = normalizeSiteDomain(body.domain);
      if (!canonical.ok) throw new InvalidRequestError([{ field: 'domain', message: canonical.reason }]);
      const domain = canonical.domain;
      const name = (body.name ?? domain).trim();
      if (name === '')
        throw new InvalidRequestError([{ field: 'name', message: `expected 1 to ${SITE_NAME_MAX_LENGTH} characters` }]);
      const outcome = await deps.sites.register(
        {
          domain,
          name,
          isPublic: body.public ?? false,
          timeZone: body.time_zone ?? 'UTC',
        },
        deps.clock(),
      );
      if (outcome.kind === 'exists') {
        return json(
          c,
          {
            error: 'site_exists',
            message: `${outcome.site.domain} is already registered; nothing changed. Remove it first (DELETE /api/sites/${outcome.site.domain}?confirm=${outcome.site.domain}) to register it anew.`,
          } satisfies SiteExistsJson,
          409,
        );
      }
      const response = json(c, siteJson(outcome.site), 201);
      response.headers.set('location', `/api/sites/${encodeURIComponent(outcome.site.domain)}/stats`);
      return response;
    },
  );

  routes.delete('/api/sites/:site', administrators, async (c: Context) => {
    const query = parseQuery(c, SiteRemovalQuery);
    const check = normalizeSiteDomain(c.req.param('site') ?? '');
    if (!check.ok) throw new InvalidRequestError([{ field: 'site', message: check.reason }]);
    const confirmed = normalizeSiteDomain(query.confirm);
    if (!confirmed.ok || confirmed.domain !== check.domain) {
      throw new InvalidRequestError([
        { field: 'confirm', message: `must repeat the domain of the site to remove: confirm=${check.domain}` },
      ]);
    }
    const removed = await deps.sites.unregister(check.domain);
    if (removed === undefined) {
      return json(
        c,
        {
          error: 'not_found',
          message: `no site ${check.domain} is registered: GET /api/sites lists them`,
        } satisfies NotFoundJson,
        404,
      );
    }
    return json(c, {
      removed: removed.domain,
      message: `${removed.domain} is no longer tracked: its page views are refused and its figures gone from the API and dashboards (by the other replicas within a second). Its recorded data is deleted by the next npm run db:purge.`,
    } satisfies SiteRemovedJson);
  });

  return routes;
}

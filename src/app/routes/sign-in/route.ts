import type { Context } from 'hono';
import { Hono } from 'hono';
import { TokenBuckets } from '../../../domain/token-buckets';
import { type Access, viewerOf } from '../../access';
import type { AppDependencies } from '../../dependencies';
import type { ForbiddenJson } from '../../errors';
import { limitBody } from '../../middleware/body-limit';
import { newStyleNonce } from '../../middleware/response-headers';
import { NoQuery, parseOrRefuse, parseQuery } from '../../query';
import { html, json } from '../../respond';
import { renderContinue, renderSignIn } from './page';
import { localPath, SIGN_IN_BODY_MAX_BYTES, SIGN_IN_LIMIT, SignInForm, SignInQuery } from './schemas';

/**
 * The sign-in form for browsers: one of ADMIN_TOKEN typed into a form opens a session cookie
 * (src/app/session-cookie.ts); signing out ends it. The API takes the token as a Bearer header
 * instead and never needs this.
 */
export function signInRoutes(deps: AppDependencies, access: Access): Hono {
  const routes = new Hono();
  // RATE_LIMIT=off turns this limit off too (a load test signing in, a workstation).
  const attempts = deps.settings.rateLimit === 'off' ? undefined : new TokenBuckets(SIGN_IN_LIMIT);

  const seeOther = async (c: Context, location: string, cookie: string) => {
    const response = html(c, await renderContinue(location), {
      styleNonce: newStyleNonce(),
      status: 303,
      cacheControl: 'no-store',
    });
    response.headers.set('location', location);
    response.headers.set('set-cookie', cookie);
    return response;
  };

  // A form posted from another site's page is never a person signing in or out here.
  const crossSite = (c: Context) =>
    c.req.header('sec-fetch-site') === 'cross-site'
      ? json(
          c,
          {
            error: 'forbidden_origin',
            message: "the form was sent from another site: sign in from this server's own /sign-in page",
          } satisfies ForbiddenJson,
          403,
        )
      : undefined;

  const formLimit = limitBody(SIGN_IN_BODY_MAX_BYTES, `a form of at most ${SIGN_IN_BODY_MAX_BYTES} bytes`);

  routes.get('/sign-in', async (c) => {
    const query = parseQuery(c, SignInQuery);
    return signInPage(c, access, { status: 200, next: localPath(query.next) });
  });

  routes.post('/sign-in', formLimit, async (c) => {
    parseQuery(c, NoQuery);
    const refused = crossSite(c);
    if (refused !== undefined) return refused;
    const form = parseOrRefuse(SignInForm, await c.req.parseBody(), 'body');
    const next = localPath(form.next);
    const wait = attempts?.take(deps.clientAddress(c), deps.clock().getTime()) ?? 0;
    if (wait > 0) {
      const response = await signInPage(c, access, {
        status: 429,
        next,
        notice: `Too many sign-in attempts from your address: try again in ${wait} s.`,
      });
      response.headers.set('retry-after', String(wait));
      return response;
    }
    if (access.sessions === undefined) return signInPage(c, access, { status: 409, next });
    if (!access.isToken(form.token)) {
      return signInPage(c, access, { status: 401, next, notice: "That is not one of this server's tokens." });
    }
    return seeOther(c, next, await access.sessions.open(form.token, deps.clock()));
  });

  routes.post('/sign-out', formLimit, async (c) => {
    parseQuery(c, NoQuery);
    const refused = crossSite(c);
    if (refused !== undefined) return refused;
    if (access.sessions === undefined) return signInPage(c, access, { status: 409, next: localPath(undefined) });
    return seeOther(c, '/sign-in', access.sessions.close());
  });

  return routes;
}

/**
 * The sign-in form as a response: the page itself, and what a browser gets instead of a private
 * page (401, the form posting back to where it was going).
 */
export async function signInPage(
  c: Context,
  access: Access,
  options: { status: number; next: string; notice?: string },
): Promise<Response> {
  const styleNonce = newStyleNonce();
  const page = await renderSignIn({
    styleNonce,
    viewer: await viewerOf(c, access),
    next: options.next,
    notice: options.notice,
    tokensConfigured: access.tokensConfigured,
  });
  return html(c, page, { styleNonce, status: options.status, cacheControl: 'no-store' });
}

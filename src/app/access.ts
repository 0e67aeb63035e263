import type { Context, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import type { AppSettings } from '../config/service';
import { type SessionCookies, sessionCookies } from './session-cookie';

declare module 'hono' {
  interface ContextVariableMap {
    /** Whether this request's caller is an administrator, once asked (src/app/access.ts). */
    administrator: Promise<boolean>;
  }
}

/**
 * Who may read what is private: the dashboards and figures of sites not marked public. A caller
 * is an administrator with `Authorization: Bearer <one of ADMIN_TOKEN>`, or with the session
 * cookie a browser gets by signing in with one (src/app/session-cookie.ts). Without ADMIN_TOKEN
 * a workstation (development, test) is open to anyone on it; anywhere else nothing private is
 * readable until a token is set.
 */
export interface Access {
  isAdmin(c: Context): Promise<boolean>;
  /** Whether `token` is one of ADMIN_TOKEN (what the sign-in form checks). */
  isToken(token: string): boolean;
  /** The browser sessions signed with the tokens; absent without a token (nothing to sign in to). */
  sessions?: SessionCookies | undefined;
  /** Why a private read was refused, and what to do: for the 401 body. */
  refusal: string;
  /** No ADMIN_TOKEN, and a workstation: everything is open, which the pages say in a banner. */
  openWithoutToken: boolean;
  /** Whether ADMIN_TOKEN is set: then the visit list and the metrics are an administrator's too. */
  tokensConfigured: boolean;
}

/** Who is looking at a page, for its top bar: the open server's banner, a sign-out button or a sign-in link. */
export type Viewer = 'open' | 'administrator' | 'visitor';

export async function viewerOf(c: Context, access: Access): Promise<Viewer> {
  if (access.openWithoutToken) return 'open';
  return (await access.isAdmin(c)) ? 'administrator' : 'visitor';
}

export const UnauthorizedBody = v.strictObject({
  error: v.literal('unauthorized'),
  message: v.pipe(v.string(), v.description('what credentials the route needs')),
});
export type UnauthorizedJson = v.InferOutput<typeof UnauthorizedBody>;

export function createAccess(settings: Pick<AppSettings, 'adminTokens' | 'environment'>, clock: () => Date): Access {
  const { adminTokens } = settings;
  if (adminTokens.length === 0) {
    const open = settings.environment === 'development' || settings.environment === 'test';
    return {
      isAdmin: async () => open,
      isToken: () => false,
      openWithoutToken: open,
      tokensConfigured: false,
      refusal: 'this server has no ADMIN_TOKEN set, so private figures are readable by nobody: set ADMIN_TOKEN and restart',
    };
  }
  const isToken = (given: string) => adminTokens.some((token) => sameText(token, given));
  const sessions = sessionCookies(adminTokens, { secure: settings.environment !== 'development' });
  const decide = async (c: Context) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      return given !== undefined && isToken(given);
    }
    return sessions.isOpen(c, clock());
  };
  return {
    // Decided once per request: a dashboard asks for its site and again for its top bar, and a
    // session costs an HMAC verification per token.
    isAdmin(c) {
      const known = c.get('administrator');
      if (known !== undefined) return known;
      const decided = decide(c);
      c.set('administrator', decided);
      return decided;
    },
    isToken,
    sessions,
    refusal: 'send Authorization: Bearer <ADMIN_TOKEN>, or sign in at /sign-in',
    openWithoutToken: false,
    tokensConfigured: true,
  };
}

/** The 401 of a private route, with the scheme it takes. */
export function unauthorized(
  c: Context,
  access: Access,
  json: (c: Context, body: unknown, status: number) => Response,
): Response {
  const response = json(c, { error: 'unauthorized', message: access.refusal } satisfies UnauthorizedJson, 401);
  response.headers.set('www-authenticate', 'Bearer');
  return response;
}

/**
 * For the routes that are public until ADMIN_TOKEN is set (the visit list holds client
 * addresses; the metrics describe the deployment): an administrator's only from then on.
 */
export function adminOnly(access: Access, json: (c: Context, body: unknown, status: number) => Response): MiddlewareHandler {
  return async (c, next) => {
    if (!(await access.isAdmin(c))) return unauthorized(c, access, json);
    await next();
  };
}

/** Compares in time that depends on the lengths only, not on where the first difference is. */
function sameText(expected: string, given: string): boolean {
  if (expected.length !== given.length) return false;
  let difference = 0;
  for (let index = 0; index < expected.length; index++) difference |= expected.charCodeAt(index) ^ given.charCodeAt(index);
  return difference === 0;
}
